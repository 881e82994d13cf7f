using BrainTools.Checkpoint.Cli;

return CkptApp.Run(args);
