using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Faults;

/// <summary>
/// PostgreSQL crashes (<c>pg_ctl restart -m immediate</c>) while two HTTP workers drain 3000 jobs. Every lease a worker
/// was given must survive the crash: were one lost, the job would be leased again under the same attempt number and
/// the two runs' reports could not be told apart. And every completion the server acknowledged must survive too.
/// </summary>
public sealed class PostgresCrashLeaseTests : IAsyncLifetime
{
    private const int Jobs = 3000;
    private const int CrashAfterCompletions = 1000;
    /// <summary>How long a worker holds its jobs before it completes them, as real work would.</summary>
    private static readonly TimeSpan Work = TimeSpan.FromMilliseconds(20);
    private PostgresCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await PostgresCluster.StartAsync(durable: true);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task No_lease_is_handed_out_twice_and_no_acknowledged_completion_is_lost_across_a_crash()
    {
        await using var server = await ServerProcess.StartAsync(TestStore.On(_cluster));
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var queue = Names.Queue();
        for (var batch = 0; batch < Jobs / 500; batch++)
        {
            var body = "{\"jobs\":[" + string.Join(",", Enumerable.Range(0, 500).Select(i => $$"""{"queue":"{{queue}}","payload":{{batch * 500 + i}},"timeout":5}""")) + "]}";
            var r = await http.ApiPostAsync("/api/jobs/batch", body);
            Assert.True(r.Status == HttpStatusCode.OK, r.ToString());
        }

        var leases = new ConcurrentDictionary<(long Id, int Attempt), int>();
        var acknowledged = new ConcurrentDictionary<long, int>(); // job → the attempt whose completion the server said ok to
        var leasedAfterAcknowledged = new ConcurrentBag<string>();
        var completed = 0;
        var crashed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var crashDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var done = new CancellationTokenSource();

        async Task WorkAsync()
        {
            while (!done.IsCancellationRequested)
            {
                ApiResponse fetch;
                try { fetch = await http.ApiPostAsync($"/api/queues/{queue}/fetch", """{"max":50,"wait":1}"""); }
                catch (HttpRequestException) { continue; }
                if (fetch.Status != HttpStatusCode.OK) { await Task.Delay(50); continue; } // 503 while the database restarts
                var jobs = fetch.Json["jobs"]!.AsArray().Select(j => (Id: j!["id"]!.GetValue<long>(), Attempt: j["attempt"]!.GetValue<int>())).ToList();
                foreach (var job in jobs)
                {
                    leases.AddOrUpdate(job, 1, (_, n) => n + 1);
                    if (acknowledged.TryGetValue(job.Id, out var attempt)) leasedAfterAcknowledged.Add($"job {job.Id} attempt {job.Attempt} after attempt {attempt} was acknowledged");
                }
                if (jobs.Count == 0) continue;
                // The crash comes right after a lease, before its completion (whose durable commit would also flush the
                // lease's WAL): the moment an asynchronously committed lease is lost.
                if (Volatile.Read(ref completed) >= CrashAfterCompletions && crashed.TrySetResult()) await crashDone.Task;
                else await Task.Delay(Work);
                if (crashed.Task.IsCompleted) await crashDone.Task; // nor does the other worker's completion flush it
                var completions = new StringBuilder("{\"completions\":[");
                completions.AppendJoin(",", jobs.Select(j => $$"""{"id":{{j.Id}},"attempt":{{j.Attempt}},"result":true}"""));
                completions.Append("]}");
                while (true)
                {
                    ApiResponse report;
                    try { report = await http.ApiPostAsync("/api/leases/complete", completions.ToString()); }
                    catch (HttpRequestException) { await Task.Delay(50); continue; }
                    if (report.Status == HttpStatusCode.ServiceUnavailable) { await Task.Delay(50); continue; }
                    Assert.True(report.Status == HttpStatusCode.OK, report.ToString());
                    var results = report.Json["results"]!.AsArray();
                    for (var i = 0; i < results.Count; i++)
                        if (results[i]!["status"]!.GetValue<string>() == "ok") acknowledged[jobs[i].Id] = jobs[i].Attempt;
                    break;
                }
                Interlocked.Add(ref completed, jobs.Count);
            }
        }

        var workers = new[] { Task.Run(WorkAsync), Task.Run(WorkAsync) };
        await crashed.Task.WaitAsync(TimeSpan.FromSeconds(120));
        await _cluster.CrashAsync();
        crashDone.SetResult();
        await Eventually.TrueAsync(async () =>
        {
            var q = await http.ApiGetAsync($"/api/queues/{queue}");
            return q.Status == HttpStatusCode.OK && q.Json["counts"]!["succeeded"]!.GetValue<long>() == Jobs;
        }, "every job to succeed after the crash", TimeSpan.FromSeconds(120));
        done.Cancel();
        await Task.WhenAll(workers);

        var twice = leases.Where(l => l.Value > 1).Select(l => $"job {l.Key.Id} attempt {l.Key.Attempt} leased {l.Value} times").ToList();
        Assert.True(twice.Count == 0, string.Join("\n", twice.Take(20)));
        Assert.True(leasedAfterAcknowledged.IsEmpty, string.Join("\n", leasedAfterAcknowledged.Take(20)));
        Assert.Equal(Jobs, acknowledged.Count);
    }
}
