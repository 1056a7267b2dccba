using Classifier.Core.Torch;
using TorchSharp;

namespace Classifier.Tests.Torch;

public sealed class DeviceSelectionTests
{
    [Fact]
    public void DeviceAuto_WithTheCpuBuild_IsTheCpu()
    {
        Assert.Equal(DeviceType.CPU, DeviceSelection.Resolve(ComputeDevice.Auto).type);
        Assert.Equal(DeviceType.CPU, DeviceSelection.Resolve(ComputeDevice.Cpu).type);
        Assert.False(DeviceSelection.CudaAvailable());
    }
}
