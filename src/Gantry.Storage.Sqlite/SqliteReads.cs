using Microsoft.Data.Sqlite;

namespace Gantry.Storage.Sqlite;

/// <summary>Reads of the embedded store, in one file per concern (Jobs/, Queues/, Recurring/), named as the ports name
/// them. They run on pooled read connections, beside the writer: WAL mode lets readers see the last commit without
/// waiting for the writer.</summary>
internal sealed partial class SqliteReads(string connectionString)
{
    private SqliteConnection Open()
    {
        var c = new SqliteConnection(connectionString);
        c.Open();
        return c;
    }
}
