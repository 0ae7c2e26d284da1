namespace Gantry.Core.Storage;

/// <summary>
/// The notifier port: where drivers announce committed changes, so waiting fetchers, result waiters, the scheduler and
/// the fronts wake without polling. <see cref="Engine.JobSignals"/> implements it for this server. A driver shared by
/// several servers forwards the others' notifications here too (PostgreSQL's LISTEN/NOTIFY), and calls
/// <see cref="EverythingMayHaveChanged"/> when notifications may have been lost, so no driver builds its own wake-ups.
/// </summary>
public interface INotifier
{
    /// <summary>Changes that are committed now.</summary>
    void Announce(ChangeSet committed);

    /// <summary>Notifications may have been lost (a listener reconnected): every waiter looks again.</summary>
    void EverythingMayHaveChanged();
}
