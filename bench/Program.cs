using ServiceHall.Bench;

// Benchmarks that print figures. Usage: dotnet run -c Release --project bench -- <benchmark> [options]
// Each benchmark lives in its own file and registers one entry here.
var benchmarks = new Dictionary<string, Func<string[], Task<int>>>(StringComparer.Ordinal)
{
    ["sync"] = SyncBench.RunAsync,
    ["chaos"] = ChaosBench.RunAsync,
    ["scale"] = ScaleBench.RunAsync,
    [SyncBench.ReceiverMode] = SyncBench.RunReceiverAsync,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine("usage: bench <benchmark> [options]");
    Console.Error.WriteLine("  sync [--rows 100000] [--batch-rows 1000] [--window 4] [--warmup 40000]   push throughput village -> township over gRPC");
    Console.Error.WriteLine("  scale [--townships 21] [--villages 104] [--cases 360] [--rate 2] [--catch-up-cases 185] [--process-nodes 1] [--watch 1] [--debounce-ms 200]   the whole city network on one machine");
    Console.Error.WriteLine("  chaos [--minutes 2] [--seed S]   chaos soak: random cuts and SIGKILLs across a devnet of node processes while cases flow");
    return 2;
}

return await run(args[1..]);
