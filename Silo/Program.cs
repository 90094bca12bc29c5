using OrleansRouting.Silo;

var builder = WebApplication.CreateBuilder(args);

builder.AddRoutingSilo();

var app = builder.Build();

app.MapGet("/health/live", () => TypedResults.Ok(new { status = "live" }));

app.Run();
