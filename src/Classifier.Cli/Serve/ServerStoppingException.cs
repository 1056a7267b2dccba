namespace Classifier.Cli.Serve;

/// <summary>An image arrived after the server began to stop; the request is answered 503.</summary>
internal sealed class ServerStoppingException() : Exception("the server is stopping");
