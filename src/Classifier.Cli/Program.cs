using Classifier.Cli;

return await ClassifyCli.InvokeAsync(args);
