using System.Security.Cryptography;

namespace Seedgate.Core.Webhooks;

/// <summary>The random names and secrets of webhooks: endpoint ids, delivery and message ids, signing secrets.</summary>
public static class WebhookSecrets
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>
    /// A new signing secret in the form Standard Webhooks libraries take: <c>whsec_</c> and 32 random bytes in base64
    /// (the spec asks for 24–64 bytes).
    /// </summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string NewEndpointId() => "ep_" + RandomNumberGenerator.GetString(Alphabet, 20);

    public static string NewDeliveryId() => "dlv_" + RandomNumberGenerator.GetString(Alphabet, 20);

    public static string NewMessageId() => "msg_" + RandomNumberGenerator.GetString(Alphabet, 20);
}
