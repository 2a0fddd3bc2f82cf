namespace Seedgate.Core.Logging;

/// <summary>
/// Every log event id in Seedgate, in one place so that no two events share one (operators filter and alert on them).
/// Ranges: 1000 dispatch, 2000 HTTP edge, 3000 admin API, 3500 upstream simulator, 4100 ffmpeg, 4120 reference fetching,
/// 4200 sandbox rendering, 5000 upstream engine.
/// </summary>
public static class LogEvents
{
    public const int LeasesRecovered = 1000;
    public const int JobStarted = 1001;
    public const int JobSucceeded = 1002;
    public const int JobFailed = 1003;
    public const int JobRetrying = 1004;
    public const int LeaseLost = 1005;
    public const int JobStopped = 1006;
    public const int JobExpired = 1007;
    public const int DispatchLoopFailed = 1008;
    public const int RunCrashed = 1009;
    public const int ScratchCleanupFailed = 1010;
    public const int JobWaiting = 1011;
    public const int JobAbandoned = 1012;
    public const int LeasesHandedBack = 1013;
    public const int RetentionSwept = 1014;
    public const int RetentionFailed = 1015;
    public const int ScratchSwept = 1016;
    public const int JobFallingBack = 1017;
    public const int SegmentFinished = 1018;

    public const int UnexpectedRequestError = 2000;
    public const int RequestBodyRefused = 2001;

    public const int AccountCreated = 3000;
    public const int AccountUpdated = 3001;
    public const int KeyCreated = 3002;
    public const int KeyRevoked = 3003;
    public const int CreditAdded = 3004;

    public const int SimulatorStarted = 3500;
    public const int SimulatedTaskCreated = 3501;
    public const int SimulatedTaskFinished = 3502;
    public const int SimulatedRenderFailed = 3503;
    public const int SimulatedPlateUnusable = 3504;
    public const int SimulatedCallbackFailed = 3505;
    public const int SimulatedCallbackAbandoned = 3506;
    public const int SimulatedRequestHeld = 3507;
    public const int SimulatorWorkFailed = 3508;

    public const int FfmpegStarted = 4100;
    public const int FfmpegFinished = 4101;
    public const int FfmpegFailed = 4102;
    public const int FfmpegTimedOut = 4103;
    public const int FfmpegCancelled = 4104;

    public const int ReferenceFetched = 4120;
    public const int ReferenceRedirected = 4121;
    public const int ReferenceFetchFailed = 4122;
    public const int ReferenceFetchTimedOut = 4123;

    public const int Rendered = 4200;
    public const int ContinuedFromHeldFrame = 4201;

    public const int UpstreamSubmitted = 5000;
    public const int UpstreamCreateLost = 5001; // and 5002: a create answered with a server error
    public const int UpstreamReconciled = 5003; // and 5004: never created, created now
    public const int UpstreamOverloaded = 5005;
    public const int UpstreamPollFailed = 5006;
    public const int UpstreamCollected = 5007;
    public const int UpstreamDownloadFailed = 5008;
    public const int UpstreamCallbackRefused = 5009;

    public const int WebhookDelivered = 6000;
    public const int WebhookAttemptFailed = 6001;
    public const int WebhookGaveUp = 6002;
    public const int WebhookLoopFailed = 6003;
}
