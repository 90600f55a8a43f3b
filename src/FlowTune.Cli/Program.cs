using FlowTune.Cli;

return await CliApp.RunAsync(args);
