namespace Seedgate.Server.Tests.Infrastructure;

/// <summary>One running gateway shared by a test class.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public Gateway Gateway { get; private set; } = null!;

    public async Task InitializeAsync() => Gateway = await Gateway.StartAsync();

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}

/// <summary>A gateway that accepts jobs but never runs them (an API-only node), so jobs stay queued.</summary>
public sealed class ApiOnlyGatewayFixture : IAsyncLifetime
{
    public Gateway Gateway { get; private set; } = null!;

    public async Task InitializeAsync() => Gateway = await Gateway.StartAsync("--Seedgate:Dispatch:Enabled=false");

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}
