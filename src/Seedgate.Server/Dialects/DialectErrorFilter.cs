using Microsoft.AspNetCore.Http;
using Seedgate.Core.Generation;

namespace Seedgate.Server.Dialects;

/// <summary>
/// Turns typed core errors into the dialect's error body. Anything else (a body Kestrel refuses, a bug) goes on to
/// the HTTP edge, which answers it in the same dialect (<see cref="Edge.EdgeErrorMiddleware"/>).
/// </summary>
internal sealed class DialectErrorFilter(IDialectErrors errors) : IEndpointFilter
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
    }
}
