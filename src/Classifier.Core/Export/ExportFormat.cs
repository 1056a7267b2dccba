namespace Classifier.Core.Export;

/// <summary>File formats a trained model can be exported to.</summary>
public enum ExportFormat
{
    /// <summary>A PyTorch pickle (<c>torch.load</c>): a dict with the state dict, class names and preprocessing.</summary>
    Pt,

    /// <summary>A safetensors file with the state dict; class names and preprocessing in its <c>__metadata__</c>.</summary>
    Safetensors,

    /// <summary>An ONNX model of the whole network ending in softmax; class names and preprocessing in its metadata.</summary>
    Onnx,
}
