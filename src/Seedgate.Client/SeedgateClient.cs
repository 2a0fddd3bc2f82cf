using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Seedgate.Client;

/// <summary>
/// A client for Seedgate's Ark-compatible video-generation API (<c>/api/v3/contents/generations/tasks</c>) and its
/// account routes (<c>/v1/balance</c>, <c>/v1/usage</c>).
/// Thread-safe; share one instance. The <see cref="HttpClient"/> stays the caller's: it is neither configured nor disposed here.
/// </summary>
public sealed partial class SeedgateClient
{
    private const string TasksPath = "api/v3/contents/generations/tasks";
    private const string BalancePath = "v1/balance";
    private const string UsagePath = "v1/usage";
    private const int MaxWaitSeconds = 60;

    /// <summary>Seedgate's answer header saying it holds <c>?wait=</c> long-polls (and for how long at most).</summary>
    private const string MaxWaitHeader = "Seedgate-Max-Wait";

    private readonly SeedgateTransport transport;
    private readonly HttpClient http;
    private readonly SeedgateClientOptions options;
    private readonly TimeProvider time;
    private readonly Uri baseAddress;
    private readonly Uri tasksUri;
    private readonly Uri balanceUri;
    private readonly Uri usageUri;

    /// <summary>Creates a client.</summary>
    /// <param name="httpClient">The HTTP client to send with (e.g. from <c>IHttpClientFactory</c>). Its <c>Timeout</c> should exceed the long-poll wait.</param>
    /// <param name="options">The server address, the API key and the retry settings.</param>
    public SeedgateClient(HttpClient httpClient, SeedgateClientOptions options)
    {
        transport = new SeedgateTransport(httpClient, options);
        http = httpClient;
        this.options = options;
        time = transport.Time;
        baseAddress = transport.BaseAddress;
        tasksUri = new Uri(baseAddress, TasksPath);
        balanceUri = new Uri(baseAddress, BalancePath);
        usageUri = new Uri(baseAddress, UsagePath);
    }

    /// <summary>Submits a generation task (<c>POST /api/v3/contents/generations/tasks</c>).</summary>
    /// <param name="request">What to generate.</param>
    /// <param name="idempotencyKey">
    /// Sent as <c>Idempotency-Key</c>: the same key and body within 24 h return the same task, so transient failures are
    /// retried safely. <see langword="null"/>: a new key for this call (its retries share it).
    /// </param>
    /// <param name="correlationId">
    /// Sent as <c>X-Client-Request-Id</c>; stored with the task and shown in logs, webhooks and the task view.
    /// <see langword="null"/>: the <see cref="SeedgateCorrelation"/> scope's, else a new one.
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new task's id, <c>cgt-…</c>.</returns>
    /// <exception cref="InvalidRequestException">
    /// A field is missing or out of range (<see cref="SeedgateApiException.Param"/> names it): found by the preflight
    /// before anything was sent (<see cref="SeedgateApiException.Type"/> <c>Preflight</c>), or by the server.
    /// </exception>
    /// <exception cref="SeedgateApiException">The server refused the request otherwise (e.g. 429 after the retries, 403 <c>AccountOverdueError</c>).</exception>
    public async Task<string> CreateTaskAsync(
        CreateTaskRequest request, string? idempotencyKey = null, string? correlationId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, SeedgateJsonContext.Default.CreateTaskRequest);
        if (options.Preflight && Preflight.Check(body).Error is { } problem)
        {
            throw new InvalidRequestException(HttpStatusCode.BadRequest, problem.Code, problem.Message, problem.Param, "Preflight", requestId: null);
        }

        var key = string.IsNullOrEmpty(idempotencyKey) ? Guid.NewGuid().ToString() : idempotencyKey;
        var correlation = string.IsNullOrEmpty(correlationId) ? SeedgateCorrelation.Current ?? SeedgateCorrelation.NewId() : correlationId;
        using var activity = SeedgateClientTelemetry.Source.StartActivity("seedgate.client.create", ActivityKind.Client);
        activity?.SetTag(SeedgateClientTelemetry.CorrelationIdTag, correlation);
        activity?.SetTag(SeedgateClientTelemetry.ModelTag, request.Model);
        var created = await transport.SendAsync(
            () =>
            {
                var message = SeedgateTransport.JsonRequest(HttpMethod.Post, tasksUri, body);
                message.Headers.TryAddWithoutValidation("Idempotency-Key", key);
                message.Headers.TryAddWithoutValidation(SeedgateCorrelation.HeaderName, correlation);
                return message;
            },
            SeedgateJsonContext.Default.CreatedTask,
            retry: true,
            cancellationToken).ConfigureAwait(false);

        activity?.SetTag(SeedgateClientTelemetry.TaskIdTag, created.Id);
        return string.IsNullOrEmpty(created.Id)
            ? throw new SeedgateApiException(HttpStatusCode.OK, "InvalidResponse", "The server accepted the task but sent no id.")
            : created.Id;
    }

    /// <summary>
    /// Checks a request with the server's own rules before any network hop: the same Ark reader and validator (shared
    /// code, Seedgate.Contracts) against the catalog shipped with the SDK; warns about reference images under the model's
    /// <c>min_image_side</c>; estimates what the server will hold for it. With <paramref name="checkUrls"/> each http(s)
    /// reference gets a <c>HEAD</c> (reachable, the right kind of file), reported as warnings.
    /// </summary>
    /// <param name="request">The request to check.</param>
    /// <param name="checkUrls">Also send a <c>HEAD</c> to each reference URL (no API key is sent with it).</param>
    /// <param name="cancellationToken">Cancels the HEAD requests.</param>
    /// <returns>The broken rule, if any, the warnings and the cost estimate.</returns>
    public async Task<PreflightReport> PreflightAsync(CreateTaskRequest request, bool checkUrls = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, SeedgateJsonContext.Default.CreateTaskRequest);
        var report = Preflight.Check(body);
        if (!checkUrls || !report.IsValid)
        {
            return report;
        }

        var warnings = report.Warnings.ToList();
        foreach (var (reference, url) in Preflight.RemoteReferences(report))
        {
            try
            {
                using var head = new HttpRequestMessage(HttpMethod.Head, url);
                head.Headers.UserAgent.Add(SeedgateTransport.UserAgent);
                using var response = await http.SendAsync(head, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                if (Preflight.CheckHead(reference, response) is { } warning)
                {
                    warnings.Add(warning);
                }
            }
            catch (HttpRequestException e)
            {
                warnings.Add($"{reference.Param}: the URL cannot be reached from here ({e.Message}).");
            }
        }

        return report with { Warnings = warnings };
    }

    /// <summary>Reads a task (<c>GET /api/v3/contents/generations/tasks/{id}</c>). Transient failures are retried.</summary>
    /// <param name="id">The task id.</param>
    /// <param name="wait">
    /// Seedgate's long-poll extension (<c>?wait=N</c>, whole seconds, at most 60): the server holds the answer until the task
    /// is terminal or the wait has passed. <see langword="null"/> answers at once.
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SeedgateApiException">e.g. 404 <c>NotFound</c>.</exception>
    public Task<GenerationTask> GetTaskAsync(string id, TimeSpan? wait = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (wait is { } w)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(w, TimeSpan.Zero, nameof(wait));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(w, TimeSpan.FromSeconds(MaxWaitSeconds), nameof(wait));
        }

        var uri = WaitUri(id, wait);
        return transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), SeedgateJsonContext.Default.GenerationTask, retry: true, cancellationToken);
    }

    /// <summary>Lists the caller's tasks, newest first (<c>GET /api/v3/contents/generations/tasks</c>). Transient failures are retried.</summary>
    /// <param name="pageNum">The page, from 1 (1–500).</param>
    /// <param name="pageSize">Tasks per page (1–500).</param>
    /// <param name="status">Only tasks with this status (<c>filter.status</c>).</param>
    /// <param name="model">Only tasks of this model (<c>filter.model</c>).</param>
    /// <param name="taskIds">Only these tasks (repeated <c>filter.task_ids</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<TaskList> ListTasksAsync(
        int pageNum = 1,
        int pageSize = 20,
        string? status = null,
        string? model = null,
        IEnumerable<string>? taskIds = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageNum, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageNum, 500);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 500);

        var query = new StringBuilder();
        Append(query, "page_num", pageNum.ToString(CultureInfo.InvariantCulture));
        Append(query, "page_size", pageSize.ToString(CultureInfo.InvariantCulture));
        Append(query, "filter.status", status);
        Append(query, "filter.model", model);
        foreach (var taskId in taskIds ?? [])
        {
            Append(query, "filter.task_ids", taskId);
        }

        var uri = new Uri(tasksUri.AbsoluteUri + "?" + query);
        return transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), SeedgateJsonContext.Default.TaskList, retry: true, cancellationToken);
    }

    /// <summary>
    /// Every task of the caller that matches, newest first, page after page (<see cref="ListTasksAsync"/> with
    /// <c>page_num</c> 1, 2, …) until a page comes back short. Tasks created while it runs may shift a page: one can be
    /// seen twice, never skipped (ids repeated across pages are left out).
    /// </summary>
    /// <param name="status">Only tasks with this status.</param>
    /// <param name="model">Only tasks of this model.</param>
    /// <param name="pageSize">Tasks per request (1–500).</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    public async IAsyncEnumerable<GenerationTask> ListAllTasksAsync(
        string? status = null, string? model = null, int pageSize = 100, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var page = 1; page <= 500; page++)
        {
            var list = await ListTasksAsync(page, pageSize, status, model, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var task in list.Items)
            {
                if (seen.Add(task.Id))
                {
                    yield return task;
                }
            }

            if (list.Items.Count < pageSize)
            {
                yield break;
            }
        }
    }

    /// <summary>The caller's money from Seedgate's ledger (<c>GET /v1/balance</c>). Transient failures are retried.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SeedgateApiException">e.g. 401 <c>AuthenticationError</c>.</exception>
    public Task<AccountBalance> GetBalanceAsync(CancellationToken cancellationToken = default) =>
        transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, balanceUri), SeedgateJsonContext.Default.AccountBalance, retry: true, cancellationToken);

    /// <summary>
    /// The caller's usage over [<paramref name="from"/>, <paramref name="to"/>) from Seedgate's ledger (<c>GET /v1/usage</c>):
    /// tasks by outcome, output seconds, cost and P50 / P95 cost per task, in total and per group, with the cost per task
    /// of every model and every ISO week. Transient failures are retried.
    /// </summary>
    /// <param name="from">The start (included); <see langword="null"/>: the start of the calendar month (UTC) <paramref name="to"/> falls in.</param>
    /// <param name="to">The end (excluded); <see langword="null"/>: now. At most 400 days after <paramref name="from"/>.</param>
    /// <param name="groupBy">How to split the period; <see langword="null"/>: by model.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="to"/> is not after <paramref name="from"/>.</exception>
    /// <exception cref="SeedgateApiException">e.g. 400 <c>InvalidParameter</c> for a period over 400 days.</exception>
    public Task<AccountUsage> GetUsageAsync(
        DateTimeOffset? from = null, DateTimeOffset? to = null, UsageGroupBy? groupBy = null, CancellationToken cancellationToken = default)
    {
        if (from is { } start && to is { } end && end <= start)
        {
            throw new ArgumentException("to must be later than from.", nameof(to));
        }

        var query = new StringBuilder();
        Append(query, "from", Utc(from));
        Append(query, "to", Utc(to));
        Append(query, "group_by", groupBy?.ToString().ToLowerInvariant());
        var uri = query.Length == 0 ? usageUri : new Uri(usageUri.AbsoluteUri + "?" + query);
        return transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), SeedgateJsonContext.Default.AccountUsage, retry: true, cancellationToken);

        static string? Utc(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Cancels a queued task, or deletes the record of a finished one (<c>DELETE /api/v3/contents/generations/tasks/{id}</c>).
    /// A running task cannot be cancelled: the server refuses. Made once, never retried.
    /// </summary>
    /// <param name="id">The task id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task DeleteTaskAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        var uri = TaskUri(id);
        using var response = await transport.SendCoreAsync(() => new HttpRequestMessage(HttpMethod.Delete, uri), retry: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Cancels a task that has not started and returns it as it stands after (<c>cancelled</c>). A task that already ended
    /// is returned as it is, untouched (its record is not deleted, unlike <see cref="DeleteTaskAsync"/>).
    /// </summary>
    /// <param name="id">The task id.</param>
    /// <param name="cancellationToken">Cancels the call (not the task).</param>
    /// <exception cref="SeedgateApiException">The task is running (<c>InvalidAction</c>): it cannot be stopped any more.</exception>
    /// <exception cref="TaskNotFoundException">No such task of the caller.</exception>
    public async Task<GenerationTask> CancelAsync(string id, CancellationToken cancellationToken = default)
    {
        var task = await GetTaskAsync(id, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (task.IsTerminal)
        {
            return task;
        }

        await DeleteTaskAsync(id, cancellationToken).ConfigureAwait(false);
        return await GetTaskAsync(id, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until a task reaches a terminal status (succeeded, failed, cancelled, expired), reporting each snapshot. Against
    /// a server that holds long-polls (Seedgate: <c>?wait=</c>) each ask waits there; against one that answers at once (real
    /// Ark) the asks follow the seeds' cadence (<see cref="SeedgateClientOptions.PollInterval"/> growing to
    /// <see cref="SeedgateClientOptions.MaxPollInterval"/>, ±20 % jitter, <c>Retry-After</c> honoured). Transient failures
    /// (429, 5xx, network) are retried with backoff. A failed task is returned, not thrown: check <see cref="GenerationTask.Status"/>.
    /// </summary>
    /// <param name="id">The task id.</param>
    /// <param name="progress">Receives every snapshot, in order, on the polling thread.</param>
    /// <param name="timeout">Gives up after this long with a <see cref="TaskWaitTimeoutException"/>; <see langword="null"/> waits for ever.</param>
    /// <param name="cancellationToken">Cancels the wait (the task itself keeps going on the server).</param>
    /// <returns>The task in its terminal status.</returns>
    /// <exception cref="TaskWaitTimeoutException">The timeout passed first; the task may still finish.</exception>
    /// <exception cref="SeedgateApiException">A permanent error (e.g. 404), or transient errors beyond <see cref="SeedgateClientOptions.MaxRetries"/>.</exception>
    /// <exception cref="HttpRequestException">The server could not be reached, even after the retries.</exception>
    public async Task<GenerationTask> WaitAsync(
        string id, IProgress<GenerationTask>? progress = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        using var deadline = timeout is { } t ? new CancellationTokenSource(t, time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var cadence = new PollCadence(options);
        var wait = LongPollWait();
        GenerationTask? last = null;
        try
        {
            while (true)
            {
                var started = time.GetTimestamp();
                var uri = WaitUri(id, wait);
                using var response = await transport.SendCoreAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), retry: true, linked.Token).ConfigureAwait(false);
                last = await SeedgateTransport.ReadAsync(response, SeedgateJsonContext.Default.GenerationTask, linked.Token).ConfigureAwait(false);
                progress?.Report(last);
                if (last.IsTerminal)
                {
                    return last;
                }

                var held = wait > TimeSpan.Zero && response.Headers.Contains(MaxWaitHeader);
                var pause = cadence.After(time.GetElapsedTime(started), held, SeedgateTransport.RetryAfterOf(response, time.GetUtcNow()));
                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause, time, linked.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TaskWaitTimeoutException(id, timeout!.Value, last);
        }
    }

    /// <summary>
    /// Streams a task output (a signed, absolute URL from <see cref="TaskContent"/>) into <paramref name="destination"/>
    /// without buffering it. No API key is sent unless the server of <see cref="SeedgateClientOptions.BaseAddress"/> asks for one.
    /// </summary>
    /// <param name="url">The output URL.</param>
    /// <param name="destination">Where the bytes go; left open.</param>
    /// <param name="bytes">Receives the number of bytes written so far, after each chunk.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The number of bytes written.</returns>
    public Task<long> DownloadAsync(Uri url, Stream destination, IProgress<long>? bytes = null, CancellationToken cancellationToken = default) =>
        DownloadWithProgressAsync(
            url, destination, bytes is null ? null : new ProgressMap<DownloadProgress, long>(bytes, p => p.BytesReceived), cancellationToken);

    /// <summary>
    /// Like <see cref="DownloadAsync"/>, reporting the expected total size too (for a progress bar). A connection that
    /// drops part-way is resumed where it stopped (<c>Range</c>, with <c>If-Range</c> on the first answer's validator so
    /// a changed file is never spliced), up to <see cref="SeedgateClientOptions.MaxRetries"/> times.
    /// </summary>
    /// <param name="url">The output URL.</param>
    /// <param name="destination">Where the bytes go; left open. A resume that the server answers with the whole file again needs it seekable.</param>
    /// <param name="progress">Receives the bytes written so far and the announced size, first before any byte, then after each chunk.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The number of bytes written.</returns>
    public async Task<long> DownloadWithProgressAsync(
        Uri url, Stream destination, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return await new OutputDownload(this, Absolute(url), destination, progress).RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Downloads a task output to <paramref name="path"/>, through <c>path.part</c> renamed at the end, so a file at
    /// <paramref name="path"/> is always whole. A <c>.part</c> left by an interrupted earlier run is resumed from its
    /// length with <c>Range</c> (the server sends the rest, or the whole file when it cannot).
    /// </summary>
    /// <param name="url">The output URL.</param>
    /// <param name="path">The file to write; replaced if it exists.</param>
    /// <param name="progress">Receives the bytes on disk so far and the whole size, when known.</param>
    /// <param name="cancellationToken">Cancels the download; the <c>.part</c> file is kept for a later resume.</param>
    /// <returns>The size of the file.</returns>
    public async Task<long> DownloadToFileAsync(Uri url, string path, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var part = path + ".part";
        long size;
        var file = new FileStream(part, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            var have = file.Seek(0, SeekOrigin.End);
            size = await new OutputDownload(this, Absolute(url), file, progress, have).RunAsync(cancellationToken).ConfigureAwait(false);
        }

        File.Move(part, path, overwrite: true);
        return size;
    }

    /// <summary>Sends a download request: no API key unless <paramref name="authorize"/> (and then only to our own server).</summary>
    internal Task<HttpResponseMessage> SendDownloadAsync(Uri url, long from, EntityTagHeaderValue? ifRange, DateTimeOffset? ifRangeDate, bool authorize, CancellationToken cancellationToken)
    {
        var message = new HttpRequestMessage(HttpMethod.Get, url);
        message.Headers.UserAgent.Add(SeedgateTransport.UserAgent);
        if (authorize && IsSameOrigin(url))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        }

        if (from > 0)
        {
            message.Headers.Range = new RangeHeaderValue(from, null);
            message.Headers.IfRange = ifRange is not null ? new RangeConditionHeaderValue(ifRange)
                : ifRangeDate is { } date ? new RangeConditionHeaderValue(date) : null;
        }

        return http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    internal SeedgateTransport Transport => transport;

    internal bool IsSameOrigin(Uri url) =>
        Uri.Compare(url, baseAddress, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private Uri Absolute(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.IsAbsoluteUri ? url : new Uri(baseAddress, url);
    }

    /// <summary>Adds <c>key=value</c> (escaped) to a query string; nothing when there is no value.</summary>
    private static void Append(StringBuilder query, string key, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        query.Append(query.Length == 0 ? "" : "&").Append(key).Append('=').Append(Uri.EscapeDataString(value));
    }

    private Uri TaskUri(string id) => new(tasksUri.AbsoluteUri + "/" + Uri.EscapeDataString(id));

    /// <summary>The task's URI, with <c>?wait=</c> in whole seconds (rounded up) when there is a wait.</summary>
    private Uri WaitUri(string id, TimeSpan? wait) => wait is { } w && w > TimeSpan.Zero
        ? new Uri(TaskUri(id).AbsoluteUri + "?wait=" + ((int)Math.Ceiling(w.TotalSeconds)).ToString(CultureInfo.InvariantCulture))
        : TaskUri(id);

    /// <summary>The long-poll wait, kept well inside the HttpClient's own timeout so that a held request is not cut off.</summary>
    private TimeSpan LongPollWait()
    {
        var wait = options.LongPollWait;
        if (http.Timeout != Timeout.InfiniteTimeSpan && wait > http.Timeout - TimeSpan.FromSeconds(5))
        {
            wait = http.Timeout - TimeSpan.FromSeconds(5);
        }

        return TimeSpan.FromSeconds(Math.Clamp(Math.Floor(wait.TotalSeconds), 0, MaxWaitSeconds));
    }

    private sealed class ProgressMap<TFrom, TTo>(IProgress<TTo> target, Func<TFrom, TTo> map) : IProgress<TFrom>
    {
        public void Report(TFrom value) => target.Report(map(value));
    }
}
