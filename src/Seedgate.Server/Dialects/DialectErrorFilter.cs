using Seedgate.Core.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Seedgate.Core.Generation;

namespace Seedgate.Server.Dialects;

/// <summary>Turns typed core errors (and anything unexpected) into the dialect's error body.</summary>
internal sealed partial class DialectErrorFilter(IDialectErrors errors) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (SeedgateException ex)
        {
            return errors.Result(ex.Error);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            var logger = context.HttpContext.RequestServices.GetRequiredService<ILogger<DialectErrorFilter>>();
            Log.Unexpected(logger, ex, context.HttpContext.Request.Path);
            return errors.Result(new SeedgateError(
                ErrorCodes.InternalServiceError, "An internal error occurred; it was logged with this response's X-Request-Id."));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.UnexpectedRequestError, LogLevel.Error, "Unexpected error serving {Path}")]
        public static partial void Unexpected(ILogger logger, Exception ex, string path);
    }
}
