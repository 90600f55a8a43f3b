using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace FlowTune.Rl.Config;

/// <summary>
/// Replays a YAML node tree as parser events, keeping each node's position in the file it came from, so a
/// deserializer error on a merged config (<c>base:</c>) still names the line of the offending key.
/// </summary>
internal sealed class YamlNodeParser : IParser
{
    private readonly List<ParsingEvent> _events = [];
    private int _index = -1;

    public YamlNodeParser(YamlNode root)
    {
        _events.Add(new StreamStart());
        _events.Add(new DocumentStart());
        Emit(root);
        _events.Add(new DocumentEnd(isImplicit: true));
        _events.Add(new StreamEnd());
    }

    public ParsingEvent? Current => _index >= 0 && _index < _events.Count ? _events[_index] : null;

    public bool MoveNext() => ++_index < _events.Count;

    private void Emit(YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode s:
                var plain = s.Tag.IsEmpty;
                _events.Add(new Scalar(AnchorName.Empty, s.Tag, s.Value ?? "", s.Style, plain, plain, s.Start, s.End));
                break;
            case YamlSequenceNode q:
                _events.Add(new SequenceStart(AnchorName.Empty, q.Tag, q.Tag.IsEmpty, q.Style, q.Start, q.End));
                foreach (var child in q.Children)
                {
                    Emit(child);
                }
                _events.Add(new SequenceEnd(q.End, q.End));
                break;
            case YamlMappingNode m:
                _events.Add(new MappingStart(AnchorName.Empty, m.Tag, m.Tag.IsEmpty, m.Style, m.Start, m.End));
                foreach (var (key, value) in m.Children)
                {
                    Emit(key);
                    Emit(value);
                }
                _events.Add(new MappingEnd(m.End, m.End));
                break;
            default:
                throw new InvalidDataException($"unsupported YAML node {node.NodeType} at line {node.Start.Line}");
        }
    }
}
