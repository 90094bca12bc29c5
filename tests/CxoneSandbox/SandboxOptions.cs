namespace CxoneSandbox;

/// <summary>
/// Settings for one sandbox instance. In process mode they are bound from the <c>Sandbox</c>
/// configuration section (command line <c>--Sandbox:ClientSecret=x</c>, env <c>Sandbox__ClientSecret</c>).
/// The sandbox snapshots them at start; changing the instance afterwards has no effect.
/// </summary>
public sealed class SandboxOptions
{
    public const string SectionName = "Sandbox";

    public string ClientId { get; set; } = "sandbox-client";

    public string ClientSecret { get; set; } = "sandbox-secret";

    /// <summary>Expected token audience; null means "{BaseAddress}/" of the running sandbox.</summary>
    public string? Audience { get; set; }

    public int TokenLifetimeSeconds { get; set; } = 3600;

    /// <summary>Queue name to queue id. Names are matched exactly (ordinal, case-sensitive), like CXone.</summary>
#pragma warning disable CA2227 // Settable so configuration binding and object initializers can replace the default set.
    public Dictionary<string, string> Queues { get; set; } = CreateDefaultQueues();
#pragma warning restore CA2227

    /// <summary>The four queues the seed tutorial's intent map points at.</summary>
    public static Dictionary<string, string> CreateDefaultQueues() => new(StringComparer.Ordinal)
    {
        ["Sales Support Queue"] = "q-sales-support",
        ["Billing Department"] = "q-billing",
        ["Tier 2 Tech Support"] = "q-tier2-tech-support",
        ["General Feedback Queue"] = "q-general-feedback",
    };
}
