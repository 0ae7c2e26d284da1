using Gantry.Client;
using Gantry.Samples.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// A worker process: `dotnet run --project samples/Gantry.Samples.Worker`.
// It finds the server through GANTRY_URL (default http://127.0.0.1:4780) and works the "greetings" queue,
// four jobs at a time, until Ctrl-C; in-flight jobs then finish (or are released back to the queue).
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddGantryWorker().AddHandler<GreetingHandler>("greetings", concurrency: 4);
await builder.Build().RunAsync();
