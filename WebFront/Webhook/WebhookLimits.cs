namespace OrleansRouting.WebFront.Webhook;

/// <summary>Input limits for the webhook. Bound from the <c>Webhook</c> configuration section.</summary>
public sealed class WebhookLimits
{
    public const string Section = "Webhook";

    public int MaxBodyBytes { get; set; } = 64 * 1024;
    public int MaxJsonDepth { get; set; } = 16;
    public int MaxSessionIdLength { get; set; } = 256;
    public int MaxIntents { get; set; } = 50;
    public int MaxIntentLength { get; set; } = 128;
    public int MaxInputLength { get; set; } = 4000;
    public int MaxUserFieldLength { get; set; } = 256;
}
