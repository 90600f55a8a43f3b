using FlowTune.Imaging;

namespace FlowTune.Worlds;

/// <summary>Finds objects in an image; the scorer relies on nothing else.</summary>
public interface IObjectDetector
{
    /// <summary>Detects objects, in any order. Must be thread-safe.</summary>
    /// <param name="image">The image.</param>
    IReadOnlyList<DetectedObject> Detect(RgbImage image);
}
