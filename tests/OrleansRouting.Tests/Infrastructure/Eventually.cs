namespace OrleansRouting.Tests.Infrastructure;

public static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout) => TrueAsync(() => Task.FromResult(condition()), timeout);

    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"Condition not met within {timeout.TotalSeconds} s.");
            await Task.Delay(50);
        }
    }
}
