using System.CommandLine;
using ServiceHall.Cli.Commands;
using ServiceHall.Cli.Profiles;

// The `servicehall` command: the tree is in Commands/CliRoot.cs.
var root = CliRoot.Create();

// devnet handles SIGINT/SIGTERM itself (it must stop its node processes, which takes longer than the
// parser's default 2 s grace), so the parser installs no termination handler of its own.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
var parse = root.Parse(args);
ClerkSession.Configure(parse);
TlsProfile.DirectoryOption = ClerkSession.Directory;
return await parse.InvokeAsync(invocation).ConfigureAwait(false);
