using Microsoft.Extensions.Options;

namespace OrleansRouting.Grains.Routing;

/// <summary>Intent to queue mapping and caching. Bound from the <c>Routing</c> configuration section.</summary>
public sealed class RoutingOptions
{
    public const string Section = "Routing";

    /// <summary>The seed's mapping, used when configuration names none (configured entries replace it whole).</summary>
    public static readonly IReadOnlyDictionary<string, string> SeedIntentQueues = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["sales_inquiry"] = "Sales Support Queue",
        ["billing_issue"] = "Billing Department",
        ["technical_support"] = "Tier 2 Tech Support",
        ["general_feedback"] = "General Feedback Queue",
    };

    /// <summary>Intent name (as Cognigy reports it, case-sensitive) to CXone queue name (case-sensitive).</summary>
    public Dictionary<string, string> IntentQueues { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Queue for intents the mapping does not name.</summary>
    public string FallbackQueue { get; set; } = "General Feedback Queue";

    /// <summary>CXone routing priority, 1 (highest) to 10.</summary>
    public int Priority { get; set; } = 5;

    /// <summary>How long a resolved queue id is trusted before CXone is asked again.</summary>
    public TimeSpan QueueCacheTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long "no such queue" is remembered, so a bad mapping does not cost a lookup per webhook.</summary>
    public TimeSpan QueueNotFoundTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a webhook waits for the interaction before it is answered 202 "pending"; keep it below
    /// Cognigy's HTTP Request timeout (8 s by default).
    /// </summary>
    public TimeSpan AnswerBudget { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// When CXone is unavailable or slow, keep retrying inside the session (answering 202) rather than answering
    /// 503/504 and leaving the retry to Cognigy.
    /// </summary>
    public bool RetryInBackground { get; set; } = true;

    /// <summary>First background retry delay; doubles per attempt, jittered, capped by <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Background retries of one escalation stop this long after its first attempt.</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a settled session is remembered (and repeats deduplicated) before its state is removed so storage
    /// does not grow without bound. Zero keeps sessions forever.
    /// </summary>
    public TimeSpan DedupWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// An idle session activation is removed from memory after this long (its state stays in storage). Long enough
    /// for Cognigy's retries and double clicks to find it warm; short enough that a peak does not pin memory.
    /// </summary>
    public TimeSpan IdleSessionLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Period of the durable reminder that resumes a pending session after a silo crash.</summary>
    public TimeSpan RecoveryReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);
}

public sealed class RoutingOptionsSetup : IPostConfigureOptions<RoutingOptions>
{
    public void PostConfigure(string? name, RoutingOptions options)
    {
        if (options.IntentQueues.Count == 0)
        {
            foreach (var (intent, queue) in RoutingOptions.SeedIntentQueues)
            {
                options.IntentQueues[intent] = queue;
            }
        }
    }
}

public sealed class RoutingOptionsValidator : IValidateOptions<RoutingOptions>
{
    public ValidateOptionsResult Validate(string? name, RoutingOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.FallbackQueue))
        {
            failures.Add("Routing:FallbackQueue must name a CXone queue.");
        }

        foreach (var (intent, queue) in options.IntentQueues)
        {
            if (string.IsNullOrWhiteSpace(queue))
            {
                failures.Add($"Routing:IntentQueues:{intent} must name a CXone queue.");
            }
        }

        if (options.Priority is < 1 or > 10)
        {
            failures.Add("Routing:Priority must be between 1 (highest) and 10.");
        }

        if (options.AnswerBudget <= TimeSpan.Zero)
        {
            failures.Add("Routing:AnswerBudget must be positive.");
        }

        if (options.RetryBaseDelay <= TimeSpan.Zero || options.RetryMaxDelay < options.RetryBaseDelay || options.GiveUpAfter <= TimeSpan.Zero)
        {
            failures.Add("Routing:RetryBaseDelay and Routing:GiveUpAfter must be positive, Routing:RetryMaxDelay at least RetryBaseDelay.");
        }

        if (options.IdleSessionLifetime < TimeSpan.FromSeconds(10))
        {
            failures.Add("Routing:IdleSessionLifetime must be at least 10 seconds.");
        }

        if (options.DedupWindow < TimeSpan.Zero)
        {
            failures.Add("Routing:DedupWindow must not be negative (zero keeps sessions forever).");
        }

        if (options.RecoveryReminderPeriod <= TimeSpan.Zero)
        {
            failures.Add("Routing:RecoveryReminderPeriod must be positive.");
        }

        if (options.QueueCacheTtl <= TimeSpan.Zero || options.QueueNotFoundTtl < TimeSpan.Zero)
        {
            failures.Add("Routing:QueueCacheTtl must be positive and Routing:QueueNotFoundTtl not negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
