// Verifies Standard Webhooks deliveries with the npm reference implementation (independent of the .NET library the
// gateway signs with). stdin: {"secret": "whsec_…", "messages": [{"headers": {...}, "body": "…"}]}; stdout: a JSON
// array, per message true or the verifier's error. NODE_PATH names the node_modules that hold standardwebhooks.
const { Webhook } = require("standardwebhooks");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { secret, messages } = JSON.parse(input);
  const webhook = new Webhook(secret);
  const verdicts = messages.map(({ headers, body }) => {
    try {
      webhook.verify(body, headers);
      return true;
    } catch (error) {
      return String(error.message || error);
    }
  });
  process.stdout.write(JSON.stringify(verdicts));
});
