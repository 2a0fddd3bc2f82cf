using System.CommandLine;
using Seedgate.Client;
using Seedgate.Core.Generation;

namespace Seedgate.Cli;

/// <summary>
/// <c>seedgate generate "&lt;prompt&gt;" [options]</c>: submits a task, follows it with a live status line on stderr, downloads
/// the MP4 and prints the task id, the file and the final facts (or, with --json, the task) on stdout.
/// <c>seedgate longtake "&lt;prompt&gt;" --duration 16–120 [options]</c> is the same for one take longer than a clip.
/// </summary>
internal static class GenerateCommand
{
    public const string DefaultModel = "seedance-2.0-fast";

    /// <param name="env">Where the command runs.</param>
    /// <param name="longTakeCommand">Build <c>longtake</c>: always a long take, its length required.</param>
    public static Command Create(CliEnvironment env, bool longTakeCommand = false)
    {
        var prompt = new Argument<string?>("prompt") { Description = "What the video should show (with --from: a new prompt, else the draft's)", Arity = ArgumentArity.ZeroOrOne };
        var model = new Option<string>("--model") { Description = "The model", DefaultValueFactory = _ => DefaultModel };
        var resolution = new Option<string>("--resolution") { Description = "Output resolution (default: the model's)" };
        resolution.AcceptOnlyFromAmong("480p", "720p", "1080p", "2k");
        var ratio = new Option<string>("--ratio") { Description = "Aspect ratio (default 16:9; adaptive follows the first image)" };
        ratio.AcceptOnlyFromAmong("16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive");
        var duration = new Option<int?>("--duration")
        {
            Description = longTakeCommand ? "The take's length in seconds, 16–120" : "Seconds, 4–15, or -1 to let the model choose (16–120 with --long-take)",
            HelpName = "SECONDS",
            Required = longTakeCommand,
        };
        var longTake = new Option<bool>("--long-take") { Description = "One take longer than a clip: chained segments joined into one MP4" };
        var from = new Option<string>("--from")
        {
            Description = "Promote a draft: re-run that task's prompt, references, seed, camera motion and ratio on --model",
            HelpName = "TASK_ID",
        };
        var audio = new Option<bool>("--audio") { Description = "Generate an audio track" };
        var noAudio = new Option<bool>("--no-audio") { Description = "No audio track" };
        var seed = new Option<long?>("--seed") { Description = "Random seed (-1 … 4294967295); the same seed repeats a result" };
        var style = new Option<string>("--style") { Description = "Look of the video" };
        style.AcceptOnlyFromAmong([.. WireNames.Styles]);
        var cameraMotion = new Option<string>("--camera-motion") { Description = "Camera move", HelpName = "MOTION" };
        cameraMotion.AcceptOnlyFromAmong([.. WireNames.CameraMotions]);
        var negative = new Option<string>("--negative-prompt") { Description = "What the video should not show", HelpName = "TEXT" };
        var image = new Option<string>("--image") { Description = "First frame: an image file or URL", HelpName = "FILE_OR_URL" };
        var lastFrame = new Option<string>("--last-frame") { Description = "Last frame (with --image): an image file or URL", HelpName = "FILE_OR_URL" };
        var referenceImages = new Option<string[]>("--reference-image") { Description = "A reference image (repeatable, up to 9)", HelpName = "FILE_OR_URL" };
        var referenceVideos = new Option<string[]>("--reference-video", "--video") { Description = "A reference video (repeatable, up to 3)", HelpName = "FILE_OR_URL" };
        var referenceAudios = new Option<string[]>("--reference-audio") { Description = "A reference audio clip (repeatable, up to 3)", HelpName = "FILE_OR_URL" };
        var returnLastFrame = new Option<bool>("--return-last-frame") { Description = "Also download the last frame as a PNG next to the video" };
        var fallbackModel = new Option<string>("--fallback-model")
        {
            Description = "A model to run on after repeated transient failures (billed at its price), e.g. seedance-2.0-fast",
            HelpName = "MODEL",
        };
        var output = new Option<string>("--out", "-o") { Description = "Where to save the MP4 (default <task id>.mp4)", HelpName = "FILE" };
        var json = CliJson.Option("the finished task, with the file written");
        var dryRun = new Option<bool>("--dry-run")
        {
            Description = "Check the request with the server's rules and print the estimate and warnings; send nothing (exit 3 if it breaks a rule)",
        };

        var command = longTakeCommand
            ? new Command("longtake", "Generate one take longer than a clip (16–120 s): segments chained from each other's last frames, joined into one MP4.")
            : new Command("generate", "Generate a video and download it.") { longTake };
        foreach (var option in new Option[]
        {
            from, model, resolution, ratio, duration, audio, noAudio, seed, style, cameraMotion, negative,
            image, lastFrame, referenceImages, referenceVideos, referenceAudios, returnLastFrame, fallbackModel, output, json, dryRun,
        })
        {
            command.Options.Add(option);
        }

        command.Arguments.Add(prompt);
        var api = ApiOptions.AddTo(command, env);

        command.SetAction((parseResult, cancellationToken) =>
        {
            string? taskId = null;
            return CommandRunner.RunAsync(
                env,
                async () =>
                {
                    if (parseResult.GetValue(audio) && parseResult.GetValue(noAudio))
                    {
                        throw new UsageException("--audio and --no-audio contradict each other.");
                    }

                    var request = new CreateTaskRequest
                    {
                        Model = parseResult.GetRequiredValue(model),
                        Content = Content(
                            parseResult.GetValue(prompt),
                            parseResult.GetValue(from),
                            parseResult.GetValue(image),
                            parseResult.GetValue(lastFrame),
                            parseResult.GetValue(referenceImages) ?? [],
                            parseResult.GetValue(referenceVideos) ?? [],
                            parseResult.GetValue(referenceAudios) ?? []),
                        Resolution = parseResult.GetValue(resolution),
                        Ratio = parseResult.GetValue(ratio),
                        Duration = parseResult.GetValue(duration),
                        Seed = parseResult.GetValue(seed),
                        GenerateAudio = parseResult.GetValue(audio) ? true : parseResult.GetValue(noAudio) ? false : null,
                        ReturnLastFrame = parseResult.GetValue(returnLastFrame) ? true : null,
                        Style = parseResult.GetValue(style),
                        CameraMotion = parseResult.GetValue(cameraMotion),
                        NegativePrompt = parseResult.GetValue(negative),
                        FallbackModel = parseResult.GetValue(fallbackModel),
                        LongTake = longTakeCommand || parseResult.GetValue(longTake) ? true : null,
                    };

                    using var http = env.CreateHttpClient();
                    var client = api.CreateClient(parseResult, http);
                    if (parseResult.GetValue(dryRun))
                    {
                        return await DryRunAsync(env, client, request, parseResult.GetValue(json), cancellationToken).ConfigureAwait(false);
                    }

                    // The idempotency key makes the submit safe to retry after a network failure: never two tasks for one command.
                    taskId = await client.CreateTaskAsync(
                        request, idempotencyKey: "cli-" + Guid.NewGuid().ToString("N"), correlationId: null, cancellationToken).ConfigureAwait(false);
                    await env.Error.WriteLineAsync($"submitted {taskId}").ConfigureAwait(false);

                    GenerationTask task;
                    var display = new TaskProgressDisplay(env.Error, env.ErrorIsTerminal, env.Time);
                    await using (display.ConfigureAwait(false))
                    {
                        task = await client.WaitAsync(taskId, display, timeout: null, cancellationToken).ConfigureAwait(false);
                    }

                    if (task.Status != TaskStatuses.Succeeded)
                    {
                        await WaitCommand.WriteOutcomeAsync(env, task, null, parseResult.GetValue(json)).ConfigureAwait(false);
                        return ExitCodes.ForTask(task);
                    }

                    var videoUrl = task.Content?.VideoUrl
                        ?? throw new SeedgateApiException(System.Net.HttpStatusCode.OK, "InvalidResponse", $"task {task.Id} succeeded without a video_url.");
                    var path = parseResult.GetValue(output) ?? task.Id + ".mp4";
                    await OutputFile.DownloadAsync(client, videoUrl, path, "downloading", env, cancellationToken).ConfigureAwait(false);

                    string? lastFramePath = null;
                    if (request.ReturnLastFrame == true && task.Content?.LastFrameUrl is { } lastFrameUrl)
                    {
                        lastFramePath = Path.ChangeExtension(path, ".last-frame.png");
                        await OutputFile.DownloadAsync(client, lastFrameUrl, lastFramePath, "last frame ", env, cancellationToken).ConfigureAwait(false);
                    }

                    if (parseResult.GetValue(json))
                    {
                        var body = CliJson.ToObject(task);
                        body["file"] = path;
                        body["last_frame_file"] = lastFramePath;
                        await CliJson.WriteAsync(env, body).ConfigureAwait(false);
                        return ExitCodes.Ok;
                    }

                    List<(string, string)> facts = [("task", task.Id), ("file", path)];
                    if (lastFramePath is not null)
                    {
                        facts.Add(("last_frame", lastFramePath));
                    }

                    await TaskFacts.WriteAsync(env.Out, [.. facts, .. TaskFacts.Outcome(task)]).ConfigureAwait(false);
                    return ExitCodes.Ok;
                },
                cancellationToken,
                () => taskId is null
                    ? "interrupted"
                    : $"interrupted; task {taskId} keeps running on the server: `seedgate status {taskId}`, `seedgate download {taskId}`");
        });
        return command;
    }

    /// <summary>--dry-run: the preflight's verdict, warnings (on stderr) and estimate, with the reference URLs checked.</summary>
    private static async Task<int> DryRunAsync(CliEnvironment env, SeedgateClient client, CreateTaskRequest request, bool json, CancellationToken cancellationToken)
    {
        var report = await client.PreflightAsync(request, checkUrls: true, cancellationToken).ConfigureAwait(false);
        foreach (var warning in report.Warnings)
        {
            await env.Error.WriteLineAsync("warning: " + warning).ConfigureAwait(false);
        }

        if (json)
        {
            await CliJson.WriteAsync(env, report).ConfigureAwait(false);
        }
        else if (report.Error is { } error)
        {
            await env.Error.WriteLineAsync($"error {error.Code}: {error.Message}" + (error.Param is null ? "" : $" (param: {error.Param})")).ConfigureAwait(false);
        }
        else
        {
            await TaskFacts.WriteAsync(env.Out,
            [
                ("model", report.Model ?? request.Model),
                ("estimate", report.EstimatedCostMicros is { } micros ? Money.Usd(micros) + " USD (held at submit, before the free quota)" : "unknown (the server decides)"),
                ("check", "passed; nothing was sent"),
            ]).ConfigureAwait(false);
        }

        return report.IsValid ? ExitCodes.Ok : ExitCodes.InvalidRequest;
    }

    /// <summary>The draft, the prompt and the references, checked locally for Ark's mode rules before anything is sent.</summary>
    private static List<ContentItem> Content(
        string? prompt, string? draft, string? image, string? lastFrame, string[] referenceImages, string[] referenceVideos, string[] referenceAudios)
    {
        if (draft is not null && string.IsNullOrWhiteSpace(draft))
        {
            throw new UsageException("--from needs the id of the task to promote.");
        }

        if (string.IsNullOrWhiteSpace(prompt) && draft is null)
        {
            throw new UsageException(prompt is null ? "a prompt is needed (or --from TASK_ID to promote a draft)." : "the prompt is empty.");
        }

        if (lastFrame is not null && image is null)
        {
            throw new UsageException("--last-frame needs --image (the first frame).");
        }

        var references = referenceImages.Length + referenceVideos.Length + referenceAudios.Length;
        if (image is not null && references > 0)
        {
            throw new UsageException(
                "--image/--last-frame (first/last-frame mode) cannot be combined with --reference-image/--reference-video/--reference-audio (reference mode).");
        }

        if (referenceImages.Length > 9 || referenceVideos.Length > 3 || referenceAudios.Length > 3)
        {
            throw new UsageException("at most 9 reference images, 3 reference videos and 3 reference audio clips.");
        }

        List<ContentItem> content = [];
        if (draft is not null)
        {
            content.Add(ContentItem.FromDraft(draft));
        }

        if (!string.IsNullOrWhiteSpace(prompt))
        {
            content.Add(ContentItem.FromText(prompt));
        }

        if (image is not null)
        {
            content.Add(MediaSource.Image(image, ContentRoles.FirstFrame));
        }

        if (lastFrame is not null)
        {
            content.Add(MediaSource.Image(lastFrame, ContentRoles.LastFrame));
        }

        content.AddRange(referenceImages.Select(r => MediaSource.Image(r, ContentRoles.ReferenceImage)));
        content.AddRange(referenceVideos.Select(MediaSource.Video));
        content.AddRange(referenceAudios.Select(MediaSource.Audio));
        return content;
    }
}
