using System.Text.Json;
using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Gantry.Hosting;

// An application that hosts Gantry in-process: `dotnet run --project samples/Gantry.Samples.Hosted`.
// Settings come from the "Gantry" section as for `gantry server` (appsettings.json, GANTRY-style keys on the command
// line such as --Gantry:Data=DIR, or Gantry__Data=DIR in the environment). The application listens where ASP.NET Core
// says (--urls, ASPNETCORE_URLS); Gantry's HTTP API is served there too, and its Gearman port on 127.0.0.1:4730.
var builder = WebApplication.CreateBuilder(args);
builder.AddGantry();
var app = builder.Build();
app.MapGantry();

// The application's own endpoint: a sign-up enqueues the welcome mail in the same process, no HTTP hop.
app.MapPost("/signup", async (SignUp signUp, JobEngine jobs, CancellationToken ct) =>
{
    var job = await jobs.EnqueueAsync(new EnqueueRequest
    {
        Queue = "welcome-mail",
        Payload = JsonSerializer.SerializeToUtf8Bytes(signUp),
        UniqueKey = "welcome:" + signUp.Email, // signing up twice sends one mail
    }, ct);
    return Results.Accepted($"/signup/{job.Id}", new { job_id = job.Id });
});
app.MapGet("/signup/{id:long}", async (long id, JobEngine jobs, CancellationToken ct) =>
    await jobs.GetAsync(id, ct) is { } job ? Results.Ok(new { state = job.State.ToWire() }) : Results.NotFound());

app.Run();

internal sealed record SignUp(string Email);
