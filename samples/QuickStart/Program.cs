using Seedgate.Client;

var baseUrl = Environment.GetEnvironmentVariable("SEEDGATE_URL") ?? "http://127.0.0.1:8080";
var apiKey = Environment.GetEnvironmentVariable("SEEDGATE_API_KEY") ?? "your_seedgate_key";
using var http = new HttpClient(new SocketsHttpHandler());
var client = new SeedgateClient(http, new SeedgateClientOptions { BaseAddress = new Uri(baseUrl), ApiKey = apiKey });

// Step 1: Submit the task
var jobId = await client.CreateTaskAsync(new CreateTaskRequest
{
    Model = "seedance-2.0-fast",
    Content = [ContentItem.FromText("An orange cat walking through cherry blossom rain, cinematic depth of field, warm sunset tones")],
    Resolution = "720p",
    Duration = 5,
    Ratio = "9:16",
    GenerateAudio = true,
    Seed = 42,
});

// Step 2: Poll for status (Seedgate holds long-polls; elsewhere the SDK backs off from 5 s to 30 s with jitter)
var task = await client.WaitAsync(jobId, timeout: TimeSpan.FromMinutes(10));
if (task.Status == TaskStatuses.Succeeded)
{
    var videoUrl = task.Content!.VideoUrl!;
    Console.WriteLine($"Video generation complete: {videoUrl}");
    await client.DownloadToFileAsync(videoUrl, "cat.mp4");
}
else
{
    throw new InvalidOperationException($"Generation failed: {task.Error?.Code} {task.Error?.Message}");
}
