using Seedgate.Cli;

// Ctrl+C / SIGTERM cancel the command's token; a command gets this long to wind down (the server drains its requests).
return await SeedgateCli.RunAsync(args, CliEnvironment.FromConsole(), terminationTimeout: TimeSpan.FromSeconds(15), CancellationToken.None);
