namespace FlowTune.Worlds;

/// <summary>One object found by a detector.</summary>
/// <param name="ClassName">Class name as used in metadata, e.g. "circle".</param>
/// <param name="Color">Colour name as used in metadata, e.g. "blue".</param>
/// <param name="Box">Bounding box in pixels.</param>
/// <param name="CentroidX">Intensity-weighted centroid x, pixels.</param>
/// <param name="CentroidY">Intensity-weighted centroid y, pixels.</param>
/// <param name="Confidence">Detection confidence in [0, 1].</param>
public sealed record DetectedObject(string ClassName, string Color, BoundingBox Box, double CentroidX, double CentroidY, double Confidence);
