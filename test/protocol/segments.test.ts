import * as fc from 'fast-check';
import * as t from 'io-ts';
import { decodeWith } from '../../src/protocol/codecs/common';
import {
  AnonymousSegment,
  AtSegment,
  ContactSegment,
  CustomMusicSegment,
  CustomNodeSegment,
  DiceSegment,
  FaceSegment,
  ForwardSegment,
  ImageSegment,
  JsonSegment,
  LocationSegment,
  Message,
  MessageInput,
  MessageSegment,
  MusicSegment,
  NodeByIdSegment,
  NodeSegment,
  PlatformMusicSegment,
  PokeSegment,
  RecordSegment,
  ReplySegment,
  RpsSegment,
  Segment,
  segmentCodecOf,
  ShakeSegment,
  ShareSegment,
  StandardSegment,
  TextSegment,
  VideoSegment,
  XmlSegment,
} from '../../src/protocol/codecs/segments';
import { segment } from '../../src/protocol/segment';

type Codec = t.Type<any, any, unknown>;
const ok = (codec: Codec, u: unknown) => {
  const r = decodeWith(codec, u);
  if (r._tag === 'Left') throw new Error(`expected ${codec.name} to decode ${JSON.stringify(u)}: ${r.left.join('; ')}`);
  return r.right;
};
const errors = (codec: Codec, u: unknown): string[] => {
  const r = decodeWith(codec, u);
  if (r._tag === 'Right') throw new Error(`expected ${codec.name} to reject ${JSON.stringify(u)}`);
  return r.left;
};

describe('§4.2 array format: the generic Segment', () => {
  it.each([
    ['null data', { type: 'mface', data: null }, { type: 'mface', data: {} }],
    ['missing data', { type: 'mface' }, { type: 'mface', data: {} }],
    ['data kept verbatim', { type: 'markdown', data: { content: '# x', n: 1, b: true } }, { type: 'markdown', data: { content: '# x', n: 1, b: true } }],
  ])('%s', (_, input, expected) => {
    expect(ok(Segment, input)).toEqual(expected);
  });

  it.each([
    ['non-string type', { type: 1, data: {} }, ['type: expected string, got number 1']],
    ['array data', { type: 'x', data: [] }, ['data: expected SegmentData, got array']],
  ])('rejects %s', (_, input, expected) => {
    expect(errors(Segment, input)).toEqual(expected);
  });
});

describe('§4.4 standard segment codecs', () => {
  // [codec, input, decoded]
  const valid: Array<[Codec, unknown, unknown]> = [
    [TextSegment, { type: 'text', data: { text: '[part one]' } }, { type: 'text', data: { text: '[part one]' } }],
    [FaceSegment, { type: 'face', data: { id: '123' } }, { type: 'face', data: { id: '123' } }],
    [FaceSegment, { type: 'face', data: { id: 178 } }, { type: 'face', data: { id: '178' } }],
    [ImageSegment, { type: 'image', data: { file: '123.jpg' } }, { type: 'image', data: { file: '123.jpg' } }],
    [
      ImageSegment,
      // NoneBot's habits (§4.2): null options, "true" flags.
      { type: 'image', data: { file: 'http://x/a.png', type: null, timeout: null, cache: 'true', proxy: true } },
      { type: 'image', data: { file: 'http://x/a.png', cache: 'true', proxy: 'true' } },
    ],
    [ImageSegment, { type: 'image', data: { file: 'a.jpg', type: 'flash', url: 'http://x/a.jpg', timeout: 30 } }, { type: 'image', data: { file: 'a.jpg', type: 'flash', url: 'http://x/a.jpg', timeout: '30' } }],
    [RecordSegment, { type: 'record', data: { file: 'a.silk', magic: 1 } }, { type: 'record', data: { file: 'a.silk', magic: '1' } }],
    [VideoSegment, { type: 'video', data: { file: 'base64://AAAA', cache: 0 } }, { type: 'video', data: { file: 'base64://AAAA', cache: '0' } }],
    [AtSegment, { type: 'at', data: { qq: 'all' } }, { type: 'at', data: { qq: 'all' } }],
    [AtSegment, { type: 'at', data: { qq: 10001000, name: 'A' } }, { type: 'at', data: { qq: '10001000', name: 'A' } }],
    [RpsSegment, { type: 'rps', data: null }, { type: 'rps', data: {} }],
    [RpsSegment, { type: 'rps', data: { result: 2 } }, { type: 'rps', data: { result: '2' } }],
    [DiceSegment, { type: 'dice' }, { type: 'dice', data: {} }],
    [ShakeSegment, { type: 'shake', data: {} }, { type: 'shake', data: {} }],
    [PokeSegment, { type: 'poke', data: { type: 126, id: '2003', name: 'x' } }, { type: 'poke', data: { type: '126', id: '2003', name: 'x' } }],
    [AnonymousSegment, { type: 'anonymous', data: { ignore: null } }, { type: 'anonymous', data: {} }],
    [ShareSegment, { type: 'share', data: { url: 'http://a.b/', title: 'Wow, really', image: null } }, { type: 'share', data: { url: 'http://a.b/', title: 'Wow, really' } }],
    [ContactSegment, { type: 'contact', data: { type: 'group', id: 123 } }, { type: 'contact', data: { type: 'group', id: '123' } }],
    [LocationSegment, { type: 'location', data: { lat: 39.9, lon: '116.3', title: 'T' } }, { type: 'location', data: { lat: '39.9', lon: '116.3', title: 'T' } }],
    [PlatformMusicSegment, { type: 'music', data: { type: '163', id: 28949129 } }, { type: 'music', data: { type: '163', id: '28949129' } }],
    [CustomMusicSegment, { type: 'music', data: { type: 'custom', url: 'u', audio: 'a', title: 't' } }, { type: 'music', data: { type: 'custom', url: 'u', audio: 'a', title: 't' } }],
    [MusicSegment, { type: 'music', data: { type: 'xm', id: '1' } }, { type: 'music', data: { type: 'xm', id: '1' } }],
    [MusicSegment, { type: 'music', data: { type: 'custom', url: 'u', audio: 'a', title: 't', content: 'c', image: 'i' } }, { type: 'music', data: { type: 'custom', url: 'u', audio: 'a', title: 't', content: 'c', image: 'i' } }],
    [ReplySegment, { type: 'reply', data: { id: 1234 } }, { type: 'reply', data: { id: '1234' } }],
    [ForwardSegment, { type: 'forward', data: { id: 'abc' } }, { type: 'forward', data: { id: 'abc' } }],
    [NodeByIdSegment, { type: 'node', data: { id: '123' } }, { type: 'node', data: { id: '123' } }],
    [NodeSegment, { type: 'node', data: { id: 123 } }, { type: 'node', data: { id: '123' } }],
    [
      NodeSegment,
      { type: 'node', data: { user_id: 10001000, nickname: 'X', content: [{ type: 'face', data: { id: 123 } }, { type: 'text', data: { text: 'hi' } }] } },
      { type: 'node', data: { user_id: '10001000', nickname: 'X', content: [{ type: 'face', data: { id: '123' } }, { type: 'text', data: { text: 'hi' } }] } },
    ],
    [CustomNodeSegment, { type: 'node', data: { user_id: '1', nickname: 'X', content: '[CQ:face,id=123]hi' } }, { type: 'node', data: { user_id: '1', nickname: 'X', content: '[CQ:face,id=123]hi' } }],
    [CustomNodeSegment, { type: 'node', data: { user_id: '1', nickname: 'X', content: { type: 'dice', data: null } } }, { type: 'node', data: { user_id: '1', nickname: 'X', content: { type: 'dice', data: {} } } }],
    // go-cqhttp's spelling of custom nodes.
    [CustomNodeSegment, { type: 'node', data: { uin: 2, name: 'Y', content: 'x' } }, { type: 'node', data: { uin: 2, name: 'Y', user_id: '2', nickname: 'Y', content: 'x' } }],
    [XmlSegment, { type: 'xml', data: { data: '<msg/>' } }, { type: 'xml', data: { data: '<msg/>' } }],
    [JsonSegment, { type: 'json', data: { data: '{"app":"x"}' } }, { type: 'json', data: { data: '{"app":"x"}' } }],
  ];
  it.each(valid.map(([c, i, e]) => [c.name, c, i, e] as const))('%s decodes %j', (_, codec, input, expected) => {
    expect(ok(codec, input)).toEqual(expected);
  });

  it('keeps unknown data keys', () => {
    expect(ok(FaceSegment, { type: 'face', data: { id: '1', raw: { faceIndex: 1 } } })).toEqual({ type: 'face', data: { id: '1', raw: { faceIndex: 1 } } });
    expect(ok(TextSegment, { type: 'text', data: { text: 'a' }, extra: 1 })).toEqual({ type: 'text', data: { text: 'a' }, extra: 1 });
  });

  const invalid: Array<[Codec, unknown, string[]]> = [
    [TextSegment, { type: 'text', data: { text: 1 } }, ['data.text: expected string, got number 1']],
    [TextSegment, { type: 'text', data: null }, ['data.text: expected string, got undefined (missing)']],
    [TextSegment, { type: 'text', data: { text: null } }, ['data.text: expected string, got null']],
    [TextSegment, { type: 'face', data: { text: 'a' } }, ['type: expected "text", got string "face"']],
    [FaceSegment, { type: 'face', data: { id: {} } }, ['data.id: expected string, got object']],
    [ImageSegment, { type: 'image', data: { file: 5 } }, ['data.file: expected string, got number 5']],
    [ImageSegment, { type: 'image', data: { file: 'a', cache: [] } }, ['data.cache: expected string, got array']],
    [AtSegment, { type: 'at', data: {} }, ['data.qq: expected string, got undefined (missing)']],
    [AtSegment, { type: 'at', data: { qq: Number.NaN } }, ['data.qq: expected string, got number NaN']],
    [ContactSegment, { type: 'contact', data: { type: 'user', id: '1' } }, ['data.type: expected "qq" | "group", got string "user"']],
    [ShareSegment, { type: 'share', data: { url: 'u' } }, ['data.title: expected string, got undefined (missing)']],
    [MusicSegment, { type: 'music', data: { type: 'spotify', id: '1' } }, ['data.type: expected "qq" | "163" | "xm" | "custom", got string "spotify"']],
    [MusicSegment, { type: 'music', data: null }, ['data.type: expected "qq" | "163" | "xm" | "custom", got undefined (missing)']],
    [MusicSegment, { type: 'music', data: { type: 'custom', url: 'u', title: 't' } }, ['data.audio: expected string, got undefined (missing)']],
    [MusicSegment, { type: 'music', data: { type: 'qq' } }, ['data.id: expected string, got undefined (missing)']],
    [NodeSegment, { type: 'node', data: { user_id: '1', content: 'x' } }, ['data.nickname: expected string, got undefined (missing)']],
    [NodeSegment, { type: 'node', data: { user_id: '1', nickname: 'n', content: [{ type: 'text', data: { text: 2 } }] } }, ['data.content.0.data.text: expected string, got number 2']],
    [NodeSegment, { type: 'node', data: { user_id: '1', nickname: 'n', content: 3 } }, ['data.content: expected string | Segment | Segment[], got number 3']],
    [XmlSegment, { type: 'xml', data: { data: 1 } }, ['data.data: expected string, got number 1']],
    [JsonSegment, { type: 'json', data: { data: { app: 'x' } } }, ['data.data: expected string, got object']],
    [ReplySegment, 'reply', ['(root): expected ReplySegment, got string "reply"']],
  ];
  it.each(invalid.map(([c, i, e]) => [c.name, c, i, e] as const))('%s rejects %j', (_, codec, input, expected) => {
    expect(errors(codec, input)).toEqual(expected);
  });
});

describe('§4.4 StandardSegment and segmentCodecOf', () => {
  it('dispatches on type', () => {
    expect(ok(StandardSegment, { type: 'reply', data: { id: 5 } })).toEqual({ type: 'reply', data: { id: '5' } });
    expect(errors(StandardSegment, { type: 'at', data: { qq: null } })).toEqual(['data.qq: expected string, got null']);
  });
  it('rejects unknown types naming the field', () => {
    expect(errors(StandardSegment, { type: 'mface', data: {} })).toEqual([
      'type: expected "text" | "face" | "image" | "record" | "video" | "at" | "rps" | "dice" | "shake" | "poke" | "anonymous" | "share" | "contact" | "location" | "music" | "reply" | "forward" | "node" | "xml" | "json", got string "mface"',
    ]);
  });
  it('segmentCodecOf', () => {
    expect(segmentCodecOf('text')).toBe(TextSegment);
    expect(segmentCodecOf('music')).toBe(MusicSegment);
    expect(segmentCodecOf('mface')).toBeUndefined();
    expect(segmentCodecOf('toString')).toBeUndefined();
  });
});

describe('§4.1 Message and MessageInput', () => {
  it('passes unknown segment types through untouched', () => {
    const input = [{ type: 'mface', data: { emoji_id: 1 } }, { type: 'file', data: null }];
    expect(ok(Message, input)).toEqual([{ type: 'mface', data: { emoji_id: 1 } }, { type: 'file', data: {} }]);
  });
  it('normalises standard segments inside a message', () => {
    expect(ok(Message, [{ type: 'at', data: { qq: 1 } }, { type: 'text', data: { text: ' hi' } }])).toEqual([
      { type: 'at', data: { qq: '1' } },
      { type: 'text', data: { text: ' hi' } },
    ]);
  });
  it('accepts a CQ string as is', () => {
    expect(ok(Message, '[CQ:face,id=178]look')).toBe('[CQ:face,id=178]look');
  });
  it.each([
    [Message, [{ type: 'text', data: { text: 1 } }], ['0.data.text: expected string, got number 1']],
    [Message, [{ type: 'text', data: { text: 'a' } }, 'b'], ['1: expected Segment, got string "b"']],
    [Message, { type: 'text', data: { text: 'a' } }, ['(root): expected string | Segment[], got object']],
    [Message, 5, ['(root): expected string | Segment[], got number 5']],
    [MessageInput, null, ['(root): expected string | Segment | Segment[], got null']],
    [MessageInput, { type: 'face', data: {} }, ['data.id: expected string, got undefined (missing)']],
  ] as Array<[Codec, unknown, string[]]>)('%# rejects %j', (codec, input, expected) => {
    expect(errors(codec, input)).toEqual(expected);
  });
  it('MessageInput accepts one segment, an array or a string', () => {
    expect(ok(MessageInput, { type: 'face', data: { id: 1 } })).toEqual({ type: 'face', data: { id: '1' } });
    expect(ok(MessageInput, [])).toEqual([]);
    expect(ok(MessageInput, 'x')).toBe('x');
  });
  it('MessageSegment.is', () => {
    expect(MessageSegment.is({ type: 'x', data: {} })).toBe(true);
    expect(MessageSegment.is({ type: 'x' })).toBe(false);
  });
});

describe('§4.4 segment builders', () => {
  const cases: Array<[string, unknown, Codec, unknown]> = [
    ['text', segment.text('[hi]'), TextSegment, { type: 'text', data: { text: '[hi]' } }],
    ['face', segment.face(178), FaceSegment, { type: 'face', data: { id: '178' } }],
    ['image', segment.image('a.jpg'), ImageSegment, { type: 'image', data: { file: 'a.jpg' } }],
    [
      'image with options',
      segment.image('http://x/a.jpg', { type: 'flash', cache: false, proxy: true, timeout: 10 }),
      ImageSegment,
      { type: 'image', data: { file: 'http://x/a.jpg', type: 'flash', cache: '0', proxy: '1', timeout: '10' } },
    ],
    ['record', segment.record('a.silk', { magic: true }), RecordSegment, { type: 'record', data: { file: 'a.silk', magic: '1' } }],
    ['video', segment.video('a.mp4', { timeout: 5 }), VideoSegment, { type: 'video', data: { file: 'a.mp4', timeout: '5' } }],
    ['at', segment.at(10001000), AtSegment, { type: 'at', data: { qq: '10001000' } }],
    ['at all', segment.at('all'), AtSegment, { type: 'at', data: { qq: 'all' } }],
    ['at bigint', segment.at(9007199254740993n), AtSegment, { type: 'at', data: { qq: '9007199254740993' } }],
    ['rps', segment.rps(), RpsSegment, { type: 'rps', data: {} }],
    ['dice', segment.dice(), DiceSegment, { type: 'dice', data: {} }],
    ['shake', segment.shake(), ShakeSegment, { type: 'shake', data: {} }],
    ['poke', segment.poke(1, -1), PokeSegment, { type: 'poke', data: { type: '1', id: '-1' } }],
    ['anonymous', segment.anonymous(), AnonymousSegment, { type: 'anonymous', data: {} }],
    ['anonymous ignore', segment.anonymous(true), AnonymousSegment, { type: 'anonymous', data: { ignore: '1' } }],
    ['share', segment.share('http://a', 'T', { content: 'c' }), ShareSegment, { type: 'share', data: { url: 'http://a', title: 'T', content: 'c' } }],
    ['contact', segment.contact('qq', 5), ContactSegment, { type: 'contact', data: { type: 'qq', id: '5' } }],
    ['location', segment.location(39.9, 116.3, { title: 'T' }), LocationSegment, { type: 'location', data: { lat: '39.9', lon: '116.3', title: 'T' } }],
    ['music', segment.music('163', 28949129), MusicSegment, { type: 'music', data: { type: '163', id: '28949129' } }],
    [
      'customMusic',
      segment.customMusic({ url: 'u', audio: 'a', title: 't' }),
      MusicSegment,
      { type: 'music', data: { type: 'custom', url: 'u', audio: 'a', title: 't' } },
    ],
    ['reply', segment.reply(1234), ReplySegment, { type: 'reply', data: { id: '1234' } }],
    ['forward', segment.forward('fw1'), ForwardSegment, { type: 'forward', data: { id: 'fw1' } }],
    ['node', segment.node(99), NodeSegment, { type: 'node', data: { id: '99' } }],
    [
      'customNode',
      segment.customNode(10001000, 'X', [segment.face(123), segment.text('hi')]),
      NodeSegment,
      { type: 'node', data: { user_id: '10001000', nickname: 'X', content: [{ type: 'face', data: { id: '123' } }, { type: 'text', data: { text: 'hi' } }] } },
    ],
    ['xml', segment.xml('<a/>'), XmlSegment, { type: 'xml', data: { data: '<a/>' } }],
    ['json string', segment.json('{"a":1}'), JsonSegment, { type: 'json', data: { data: '{"a":1}' } }],
    ['json object', segment.json({ a: [1] }), JsonSegment, { type: 'json', data: { data: '{"a":[1]}' } }],
  ];
  it.each(cases)('%s', (_, built, codec, expected) => {
    expect(built).toStrictEqual(expected);
    // Decoding a builder's output is the identity: nothing to normalise.
    expect(ok(codec, built)).toStrictEqual(expected);
    expect(ok(StandardSegment, built)).toStrictEqual(expected);
  });

  it('every standard type has a builder', () => {
    const built = new Set(cases.map(([, s]) => (s as Segment).type));
    expect([...built].sort()).toEqual(
      ['text', 'face', 'image', 'record', 'video', 'at', 'rps', 'dice', 'shake', 'poke', 'anonymous', 'share', 'contact', 'location', 'music', 'reply', 'forward', 'node', 'xml', 'json'].sort(),
    );
  });
});

describe('§4.4 properties', () => {
  const id = fc.oneof(fc.integer(), fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), fc.string());
  const flags = fc.record({ cache: fc.boolean(), proxy: fc.boolean(), timeout: fc.nat() }, { requiredKeys: [] });

  it('every builder output decodes with its codec, unchanged', () => {
    const built = fc.oneof(
      fc.string().map(segment.text),
      id.map(segment.face),
      fc.tuple(fc.string(), flags).map(([f, o]) => segment.image(f, o)),
      fc.tuple(fc.string(), flags, fc.option(fc.boolean(), { nil: undefined })).map(([f, o, magic]) => segment.record(f, { ...o, magic })),
      fc.tuple(fc.string(), flags).map(([f, o]) => segment.video(f, o)),
      fc.oneof(id, fc.constant('all' as const)).map(segment.at),
      fc.tuple(id, id).map(([a, b]) => segment.poke(a, b)),
      fc.option(fc.boolean(), { nil: undefined }).map(segment.anonymous),
      fc.tuple(fc.string(), fc.string(), fc.record({ content: fc.string(), image: fc.string() }, { requiredKeys: [] })).map(([u, ti, o]) => segment.share(u, ti, o)),
      fc.tuple(fc.constantFrom('qq' as const, 'group' as const), id).map(([ty, i]) => segment.contact(ty, i)),
      fc.tuple(fc.double({ noNaN: true }), fc.double({ noNaN: true })).map(([a, b]) => segment.location(a, b)),
      fc.tuple(fc.constantFrom('qq' as const, '163' as const, 'xm' as const), id).map(([ty, i]) => segment.music(ty, i)),
      fc.record({ url: fc.string(), audio: fc.string(), title: fc.string(), image: fc.string() }, { requiredKeys: ['url', 'audio', 'title'] }).map(segment.customMusic),
      id.map(segment.reply),
      id.map(segment.forward),
      id.map(segment.node),
      fc.tuple(id, fc.string(), fc.oneof(fc.string(), fc.array(fc.string().map(segment.text)))).map(([u, n, c]) => segment.customNode(u, n, c)),
      fc.string().map(segment.xml),
      fc.jsonValue().map((v) => segment.json(typeof v === 'string' ? v : { v })),
      fc.constant(segment.rps()),
      fc.constant(segment.dice()),
      fc.constant(segment.shake()),
    );
    fc.assert(
      fc.property(built, (s) => {
        const codec = segmentCodecOf(s.type);
        expect(codec).toBeDefined();
        expect(ok(codec!, s)).toStrictEqual(s);
        for (const v of Object.values(s.data)) if (s.type !== 'node' || typeof v !== 'object') expect(typeof v).toBe('string');
      }),
    );
  });

  it('numbers in id fields decode to their string form', () => {
    fc.assert(
      fc.property(fc.integer(), (n) => {
        expect(ok(AtSegment, { type: 'at', data: { qq: n } })).toEqual({ type: 'at', data: { qq: String(n) } });
      }),
    );
  });

  it('any segment with an unknown type passes through Message unchanged', () => {
    const unknownType = fc.string({ minLength: 1 }).filter((s) => segmentCodecOf(s) === undefined);
    const data = fc.dictionary(fc.string(), fc.jsonValue());
    fc.assert(
      fc.property(fc.array(fc.record({ type: unknownType, data })), (segs) => {
        expect(ok(Message, segs)).toStrictEqual(segs);
      }),
    );
  });
});
