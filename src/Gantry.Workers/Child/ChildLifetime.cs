using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;

namespace Gantry.Workers.Child;

/// <summary>
/// The child's host lifetime, in place of the console one: SIGTERM (someone stopping this child on purpose) drains it,
/// but SIGINT is ignored. Ctrl-C in a terminal reaches the whole process group; the parent handles it and drains its
/// children itself, so a child quitting on its own would only look like a crash to the parent.
/// </summary>
internal sealed class ChildLifetime(IHostApplicationLifetime application) : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            application.StopApplication();
        }));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
    }
}
