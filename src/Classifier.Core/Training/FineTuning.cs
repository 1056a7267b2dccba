using Classifier.Core.Data;
using Classifier.Core.Model.Zoo;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Classifier.Core.Training;

/// <summary>
/// What fine-tuning changes in training: which parameters the optimizer gets and at which rate, and which layers run in
/// eval mode. The choices follow the anchors. Full fine-tuning is the default when weights are given (timm, fastai's
/// <c>fine_tune</c> after its first frozen epoch, the torchvision reference scripts). The backbone gets
/// <see cref="TrainOptions.EffectiveBackboneLrScale"/> times the head's rate: fastai's discriminative rates
/// (<c>slice(lr/10, lr)</c> style) and the usual PyTorch recipe of two parameter groups, 0.1 by default with pretrained
/// weights so a new random head cannot wreck good features early. Batch norm trains as usual under full fine-tuning
/// (timm, torchvision); <see cref="FreezeMode.BatchNorm"/> keeps the statistics of the starting weights for small or
/// unusual batches; <see cref="FreezeMode.Backbone"/> runs the whole backbone in eval mode (Keras' advice for a frozen
/// base model: its batch norm layers must stay in inference mode), which also makes its features fixed and cacheable.
/// <see cref="TrainOptions.FreezeEpochs"/> is fastai's <c>fine_tune</c>: the backbone is frozen so in the first epochs
/// and trains in the later ones, by default with its batch-norm statistics kept (<see cref="TrainOptions.EffectiveFreeze"/>:
/// the head was fitted to features computed with them); the optimizer holds every parameter from the start, so the
/// phase is a function of the epoch alone and a run resumes across the boundary exactly.
/// </summary>
public static class FineTuning
{
    /// <summary>
    /// The parameters the optimizer updates, each with its learning-rate factor. Under <see cref="FreezeMode.Backbone"/>
    /// the backbone's parameters are marked as needing no gradient and left out.
    /// </summary>
    public static List<(Parameter Parameter, double Scale)> Parameters(nn.Module<Tensor, Tensor> model, TrainOptions options)
    {
        var head = options.Network.Head;
        if (head is null) return model.parameters().Select(p => (p, 1.0)).ToList();
        var result = new List<(Parameter, double)>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            bool inHead = IsIn(name, head);
            if (options.EffectiveFreeze == FreezeMode.Backbone && !inHead)
            {
                parameter.requires_grad = false;
                continue;
            }
            result.Add((parameter, inHead ? 1.0 : options.EffectiveBackboneLrScale));
        }
        return result;
    }

    /// <summary>
    /// Puts the frozen parts of <paramref name="model"/> in eval mode for <paramref name="epoch"/>; call after
    /// <c>model.train()</c>. Under <see cref="TrainOptions.FreezeEpochs"/> it is also where the phase changes: the
    /// backbone's parameters need no gradient in the frozen epochs (so backward stops at the head and the optimizer,
    /// which holds every parameter, skips them) and need one again after.
    /// </summary>
    public static void SetModes(nn.Module<Tensor, Tensor> model, TrainOptions options, int epoch)
    {
        bool frozen = options.BackboneFrozenIn(epoch);
        if (options.FreezeEpochs > 0 && options.Network.Head is { } phased)
            foreach (var (name, parameter) in model.named_parameters())
                if (!IsIn(name, phased)) parameter.requires_grad = !frozen;
        if (frozen && options.Network.Head is { } head)
        {
            model.eval();
            NetworkHead.Module(model, head).train();
        }
        else if (options.EffectiveFreeze == FreezeMode.BatchNorm)
        {
            foreach (var (_, module) in model.named_modules())
                if (module is BatchNorm batchNorm) batchNorm.eval();
        }
    }

    /// <summary>
    /// Where training cuts each image's network-size window in <paramref name="epoch"/> when the decoder keeps a crop
    /// margin (<c>--resize crop</c>): at random per image (from <paramref name="epochSeed"/>, so the same for a seed and
    /// epoch), except in frozen epochs without augmentation, which keep the centre crop: their backbone features are then
    /// the same every epoch, which is what lets <see cref="FeatureCache"/> serve them (and keeps <c>--cache none</c> equal).
    /// </summary>
    public static CropWindow TrainingCrop(TrainOptions options, int epoch, long epochSeed) =>
        options.BackboneFrozenIn(epoch) && !options.Augment.Any ? CropWindow.Centre : CropWindow.Random(epochSeed);

    /// <summary>Whether any batch-norm layer of <paramref name="model"/> is in training mode (and so needs two images per batch).</summary>
    public static bool BatchNormTrains(nn.Module model) =>
        model.named_modules().Any(m => m.module is BatchNorm { training: true });

    private static bool IsIn(string name, string prefix) =>
        name.StartsWith(prefix, StringComparison.Ordinal) && name.Length > prefix.Length && name[prefix.Length] == '.';
}
