using System.Diagnostics;
using System.Globalization;
using System.Net;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServiceHall.Protos.V1;
using ServiceHall.Sync;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;
using ServiceHall.Sync.Store.Sqlite;
using ServiceHall.Sync.Transport;

namespace ServiceHall.Bench;

/// <summary>
/// Sync throughput: a village store pushes N case-event-sized rows (~300 bytes) to a township server over gRPC
/// on loopback, applied, committed and acknowledged. The township runs in a child process so that its memory
/// is measured alone. Also measures the raw SQLite ceiling (same rows, one transaction, prepared insert).
/// </summary>
internal static class SyncBench
{
    /// <summary>Internal mode: the receiving township, started by the benchmark as a child process.</summary>
    public const string ReceiverMode = "sync-receiver";

    private const string VillageScope = "city/t01/t01-v01";

    private static readonly SyncSchema Schema = new(1,
    [
        new SyncTable("events", "id", ["id", "scope", "case_no", "action", "actor", "at", "payload"], SyncDirection.Both, "scope"),
    ]);

    private static readonly Migration[] Tables =
    [
        new(1, "bench events", """
            CREATE TABLE events (id TEXT NOT NULL PRIMARY KEY, scope TEXT NOT NULL, case_no TEXT NOT NULL, action TEXT NOT NULL,
                                 actor TEXT NOT NULL, at TEXT NOT NULL, payload TEXT NOT NULL);
            """),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var rows = BenchArgs.Int(args, "--rows", 100_000);
        var options = new SyncOptions
        {
            BatchRows = BenchArgs.Int(args, "--batch-rows", SyncProtocol.DefaultBatchRows),
            BatchBytes = BenchArgs.Int(args, "--batch-bytes", 1 << 20),
            PushWindow = BenchArgs.Int(args, "--window", 4),
        };
        var time = TimeProvider.System;
        var dir = Path.Combine(Path.GetTempPath(), "servicehall-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            // Sender: the village store with N rows written locally (not timed).
            using var village = Open(Path.Combine(dir, "village.db"), "t01-v01", time);
            village.Sync.SetNodeScope(VillageScope);
            // Enough batches for the hot per-batch methods to be called more than the tiered JIT's threshold (30).
            var warmup = BenchArgs.Int(args, "--warmup", 40 * options.BatchRows);
            WriteRows(village.Sync, 0, warmup);

            // Receiver: a township server in its own process.
            using var receiver = StartReceiver(Path.Combine(dir, "township.db"));
            var url = (await receiver.StandardOutput.ReadLineAsync())!;
            using var channel = GrpcChannel.ForAddress(url);
            var client = new SyncClient(village.Sync, channel.CreateCallInvoker(), NodeLevel.Village, options, url);

            // Warm-up round (JIT, connection, first-contact pull), not timed: a running node is warm. The pause lets
            // the background tier-1 compilation of what the warm-up made hot finish.
            await client.SyncAsync();
            await Task.Delay(TimeSpan.FromSeconds(1));
            var rowBytes = WriteRows(village.Sync, warmup, rows);
            await receiver.StandardInput.WriteLineAsync("MARK");

            var cpu0 = Cpu();
            var sw = Stopwatch.StartNew();
            var result = await client.SyncAsync();
            sw.Stop();
            var senderCpu = Cpu() - cpu0;
            var endToEnd = rows / sw.Elapsed.TotalSeconds;

            await receiver.StandardInput.WriteLineAsync("STATS");
            var stats = (await receiver.StandardOutput.ReadLineAsync())!.Split(' ');
            receiver.StandardInput.Close();
            await receiver.WaitForExitAsync();
            var received = long.Parse(stats[0], CultureInfo.InvariantCulture);
            if (result.Pushed != rows || received != rows + warmup)
            {
                Console.Error.WriteLine($"FAILED: pushed {result.Pushed}, receiver holds {received}, expected {rows} + {warmup} warm-up rows");
                return 1;
            }

            var (raw, rawCpuPerRow) = RawCeiling(Path.Combine(dir, "raw.db"), rows);
            var (readCpu, applyCpu, parseCpu) = Stages(village.Sync, Path.Combine(dir, "stages.db"), options);
            Console.WriteLine($"rows                 {rows:N0} after a warm-up round of {warmup:N0} (average row {rowBytes:N0} bytes encoded, batches of {options.BatchRows} rows / {options.BatchBytes:N0} bytes, window {options.PushWindow})");
            Console.WriteLine($"end to end           {endToEnd:N0} rows/s ({sw.Elapsed.TotalSeconds:N2} s: handshake, push, apply, commit, ack, empty pull)");
            Console.WriteLine($"raw SQLite ceiling   {raw:N0} rows/s (one transaction, prepared insert, same rows)");
            Console.WriteLine($"ratio                {endToEnd / raw:N2}");
            var receiverCpu = TimeSpan.FromTicks(long.Parse(stats[4], CultureInfo.InvariantCulture));
            Console.WriteLine($"CPU per row          sender {Us(senderCpu, rows)} µs, receiver {Us(receiverCpu, rows)} µs (whole processes, incl. gRPC); raw insert {rawCpuPerRow:N1} µs");
            Console.WriteLine($"stages in process    read {readCpu:N1}, protobuf parse {parseCpu:N1}, apply {applyCpu:N1} µs CPU/row (no network)");
            Console.WriteLine($"machine load         {File.ReadAllText("/proc/loadavg").Trim()} (load average over {Environment.ProcessorCount} cores during the run)");
            Console.WriteLine($"receiver memory      peak RSS {Mb(stats[1])} MiB (VmHWM), peak GC heap {Mb(stats[2])} MiB (sampled every 20 ms), allocated {Mb(stats[3])} MiB in total during the timed round");
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The township: serves sync for child t01-v01, prints its URL, and on "STATS" prints rows held and peak memory.</summary>
    public static async Task<int> RunReceiverAsync(string[] args)
    {
        using var node = Open(args[0], "t01", TimeProvider.System);
        node.Sync.SetNodeScope("city/t01");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc().AddSyncServiceLimits();
        builder.Services.AddSingleton(node.Sync);
        builder.Services.AddSingleton<ISyncPeerDirectory>(new Directory1(new SyncPeer("t01-v01", (int)NodeLevel.Village, VillageScope)));
        builder.Services.AddSingleton<ISyncPeerAuthenticator, HeaderClaimAuthenticator>();
        builder.Services.AddSingleton<SyncPeerGate>();
        await using var app = builder.Build();
        app.MapServiceHallSync();
        await app.StartAsync();
        var startCpu = Cpu();
        long peakHeap = 0, baseAllocated = 0;
        // Only the GC heap is sampled; peak RSS comes from the kernel (VmHWM). Sampling the working set through
        // Process parsed /proc files 50 times a second: 7% of the receiver's thread time in a profile.
        using var sampler = new Timer(_ => peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false)), null, 0, 20);
        Console.WriteLine(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line == "MARK")
            {
                startCpu = Cpu();
                GC.Collect();
                peakHeap = 0;
                ResetPeakRss();
                baseAllocated = GC.GetTotalAllocatedBytes();
            }
            else if (line == "STATS")
            {
                using var conn = node.Provider.OpenSqlite();
                using var cmd = conn.CreateCommand();
                cmd.CommandText = "SELECT COUNT(*) FROM events";
                var count = (long)cmd.ExecuteScalar()!;
                using var p = Process.GetCurrentProcess();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{count} {PeakRss()} {peakHeap} {GC.GetTotalAllocatedBytes() - baseAllocated} {(p.TotalProcessorTime - startCpu).Ticks}"));
            }
        }

        await app.StopAsync();
        return 0;
    }

    /// <summary>Resets the kernel's peak-RSS mark of this process (Linux: writing 5 to clear_refs).</summary>
    private static void ResetPeakRss() => File.WriteAllText("/proc/self/clear_refs", "5");

    /// <summary>Peak resident set size of this process since start or the last reset (VmHWM), in bytes.</summary>
    private static long PeakRss()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    private static Node Open(string path, string nodeId, TimeProvider time)
    {
        var provider = new SqliteStoreProvider(path);
        Migrator.Apply(provider, SyncStore.Component, SyncStore.Migrations, time);
        Migrator.Apply(provider, "bench", Tables, time);
        return new Node(provider, new SyncStore(provider, Schema, nodeId, time));
    }

    /// <summary>Writes the rows through the engine's write path (change log included); returns the average encoded row size.</summary>
    private static long WriteRows(SyncStore store, int from, int rows)
    {
        const int chunk = 10_000;
        for (var start = from; start < from + rows; start += chunk)
        {
            using var w = store.BeginWrite();
            for (var i = start; i < Math.Min(from + rows, start + chunk); i++)
            {
                w.Upsert("events", Row(i));
            }

            w.Commit();
        }

        var sample = new ChangeReader(store).ReadForParent(0, null, 100, 1 << 20);
        return sample.Changes.Sum(c => (long)c.CalculateSize()) / sample.Changes.Count;
    }

    private static object?[] Row(int i)
    {
        var n = i.ToString("D7", CultureInfo.InvariantCulture);
        return
        [
            $"t01-v01:ev:{n}", VillageScope, $"XT-2026-t01-v01-{n}", i % 3 == 0 ? "accept" : i % 3 == 1 ? "review" : "decide",
            $"clerk-{i % 17:D2}", "2026-11-27T08:00:00.000+08:00",
            $"{{\"item\":\"village-{i % 20:D2}\",\"dept\":\"civil-affairs\",\"note\":\"materials complete; applicant notified by phone; original documents checked at the window\",\"seq\":{i}}}",
        ];
    }

    /// <summary>The two halves alone, in this process: reading batches from the log, and applying them to a fresh store.</summary>
    private static (double Read, double Apply, double Parse) Stages(SyncStore sender, string path, SyncOptions options)
    {
        using var target = Open(path, "t01", TimeProvider.System);
        var reader = new ChangeReader(sender);
        var batches = new List<ChangeBatch>();
        var cpu = Cpu();
        long cursor = 0, rows = 0;
        while (true)
        {
            var b = reader.ReadForParent(cursor, "t01", options.BatchRows, options.BatchBytes);
            if (b.ThroughSeq == cursor)
            {
                break;
            }

            batches.Add(b);
            rows += b.Changes.Count;
            cursor = b.ThroughSeq;
        }

        var read = (Cpu() - cpu).TotalMicroseconds / rows;
        var wire = batches.Select(b => b.ToByteArray()).ToList();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        cpu = Cpu();
        batches = wire.Select(ChangeBatch.Parser.ParseFrom).ToList();
        var parse = (Cpu() - cpu).TotalMicroseconds / rows;
        var parseBytes = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)rows;
        var applier = new ChangeApplier(target.Sync);
        allocated = GC.GetTotalAllocatedBytes(precise: true);
        cpu = Cpu();
        foreach (var b in batches)
        {
            applier.Apply(b, "t01-v01");
        }

        var apply = (Cpu() - cpu).TotalMicroseconds / rows;
        Console.WriteLine($"allocated per row    protobuf parse {parseBytes:N0} B, apply {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)rows:N0} B (in process)");
        return (read, apply, parse);
    }

    private static (double RowsPerSecond, double CpuMicrosPerRow) RawCeiling(string path, int rows)
    {
        var cpu = Cpu();
        using var provider = new SqliteStoreProvider(path);
        Migrator.Apply(provider, "bench", Tables, TimeProvider.System);
        using var conn = provider.OpenSqlite();
        var sw = Stopwatch.StartNew();
        using var tx = conn.BeginTransaction();
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO events (id, scope, case_no, action, actor, at, payload) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6)";
        for (var c = 0; c < 7; c++)
        {
            cmd.Parameters.Add(new SqliteParameter("@p" + c.ToString(CultureInfo.InvariantCulture), null));
        }

        cmd.Prepare();
        for (var i = 0; i < rows; i++)
        {
            var row = Row(i);
            for (var c = 0; c < 7; c++)
            {
                cmd.Parameters[c].Value = row[c];
            }

            cmd.ExecuteNonQuery();
        }

        tx.Commit();
        return (rows / sw.Elapsed.TotalSeconds, (Cpu() - cpu).TotalMicroseconds / rows);
    }

    private static Process StartReceiver(string dbPath)
    {
        var self = Environment.ProcessPath!;
        var psi = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            psi.ArgumentList.Add(typeof(SyncBench).Assembly.Location);
        }

        psi.ArgumentList.Add(ReceiverMode);
        psi.ArgumentList.Add(dbPath);
        return Process.Start(psi)!;
    }

    private static TimeSpan Cpu()
    {
        using var p = Process.GetCurrentProcess();
        return p.TotalProcessorTime;
    }

    private static string Us(TimeSpan cpu, int rows) => (cpu.TotalMicroseconds / rows).ToString("N1", CultureInfo.InvariantCulture);

    private static string Mb(string bytes) => (long.Parse(bytes, CultureInfo.InvariantCulture) / 1048576.0).ToString("N0", CultureInfo.InvariantCulture);

    private sealed record Node(SqliteStoreProvider Provider, SyncStore Sync) : IDisposable
    {
        public void Dispose() => Provider.Dispose();
    }

    private sealed class Directory1(SyncPeer child) : ISyncPeerDirectory
    {
        public SyncPeer? FindChild(string nodeId) => nodeId == child.NodeId ? child : null;

        public string? ScopeOf(string nodeId) => FindChild(nodeId)?.Scope;
    }
}
