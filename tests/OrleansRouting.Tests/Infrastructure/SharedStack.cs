namespace OrleansRouting.Tests.Infrastructure;

/// <summary>One stack shared by the tests that only need "a working product" (each uses its own session ids).</summary>
public sealed class SharedStackFixture : IAsyncLifetime
{
    private RoutingStack? _stack;

    public RoutingStack Stack => _stack ?? throw new InvalidOperationException("The stack is not started.");

    public async Task InitializeAsync() => _stack = await RoutingStack.StartAsync();

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SharedStackCollection : ICollectionFixture<SharedStackFixture>
{
    public const string Name = "shared routing stack";
}
