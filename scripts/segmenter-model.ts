/**
 * The person segmentation model for background blur, made loadable by MediaPipe's tasks-vision.
 *
 * The model is MediaPipe's selfie segmenter (landscape, 256×144 input), as published on npm in
 * @mediapipe/selfie_segmentation: the only copy on a registry we can reach; Google serves the
 * tasks version only from its own storage, which Runde never loads from. That copy lacks the
 * TFLite metadata that tasks-vision's ImageSegmenter requires for a float input ("requires
 * specifying NormalizationOptions metadata"). This adds exactly that: a ModelMetadata
 * (metadata_schema.fbs, "M001") saying the input is an RGB image scaled as (x − 0) / 255, in a new
 * buffer named by a "TFLITE_METADATA" entry, as the TFLite metadata writer would.
 *
 * How, without a schema compiler: a FlatBuffer refers forward only (unsigned offsets), and every
 * offset is relative, so the old file is kept whole, shifted behind a new prefix: a new root Model
 * table that points at the old fields, a buffers vector with one buffer more, and the metadata.
 * The old root table stays, unreferenced. The shift is a multiple of 16, so buffer alignment holds.
 */
import { Builder } from 'flatbuffers';

/** Model table fields (tensorflow/lite/schema/schema.fbs). */
const MODEL = { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4, metadataBuffer: 5, metadata: 6, fields: 8 } as const;

class Reader {
  readonly #view: DataView;
  constructor(bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u32 = (at: number) => this.#view.getUint32(at, true);
  i32 = (at: number) => this.#view.getInt32(at, true);
  u16 = (at: number) => this.#view.getUint16(at, true);
  /** Where field `i` of the table at `table` is, or 0 when absent. */
  field(table: number, i: number): number {
    const vtable = table - this.i32(table);
    const count = (this.u16(vtable) - 4) / 2;
    const offset = i < count ? this.u16(vtable + 4 + 2 * i) : 0;
    return offset ? table + offset : 0;
  }
  /** What the offset stored at `at` points to. */
  target(at: number): number {
    return at + this.u32(at);
  }
}

/** The tensor names of the landscape model, as its graph has them. */
export const INPUT_TENSOR = 'input_1';
export const OUTPUT_TENSOR = 'segment_back';

/** ModelMetadata for an RGB image input normalised by 255 and one mask output. */
export function imageMetadata(name: string): Uint8Array {
  const b = new Builder(1024);
  const floats = (xs: number[]) => {
    b.startVector(4, xs.length, 4);
    for (let i = xs.length - 1; i >= 0; i--) b.addFloat32(xs[i]!);
    return b.endVector();
  };
  const table = (fields: number, add: () => void) => {
    b.startObject(fields);
    add();
    return b.endObject();
  };
  const list = (item: number) => {
    b.startVector(4, 1, 4);
    b.addOffset(item);
    return b.endVector();
  };
  const mean = floats([0]);
  const std = floats([255]);
  // NormalizationOptions { mean, std }; ProcessUnit { options_type: NormalizationOptions (1), options }
  const normalization = table(2, () => {
    b.addFieldOffset(0, mean, 0);
    b.addFieldOffset(1, std, 0);
  });
  const unit = table(2, () => {
    b.addFieldInt8(0, 1, 0);
    b.addFieldOffset(1, normalization, 0);
  });
  // ImageProperties { color_space: RGB (1) }; Content { content_properties_type: ImageProperties (2), content_properties }
  const image = table(2, () => b.addFieldInt8(0, 1, 0));
  const content = table(3, () => {
    b.addFieldInt8(0, 2, 0);
    b.addFieldOffset(1, image, 0);
  });
  const units = list(unit);
  const inputName = b.createString(INPUT_TENSOR);
  // TensorMetadata { name (0), content (3), process_units (4) }
  const input = table(7, () => {
    b.addFieldOffset(0, inputName, 0);
    b.addFieldOffset(3, content, 0);
    b.addFieldOffset(4, units, 0);
  });
  const outputName = b.createString(OUTPUT_TENSOR);
  const output = table(7, () => b.addFieldOffset(0, outputName, 0));
  const inputs = list(input);
  const outputs = list(output);
  // SubGraphMetadata { input_tensor_metadata (2), output_tensor_metadata (3) }
  const subgraph = table(9, () => {
    b.addFieldOffset(2, inputs, 0);
    b.addFieldOffset(3, outputs, 0);
  });
  const subgraphs = list(subgraph);
  const modelName = b.createString(name);
  const parser = b.createString('1.0.0');
  // ModelMetadata { name (0), subgraph_metadata (3), min_parser_version (7) }
  const model = table(8, () => {
    b.addFieldOffset(0, modelName, 0);
    b.addFieldOffset(3, subgraphs, 0);
    b.addFieldOffset(7, parser, 0);
  });
  b.finish(model, 'M001');
  return b.asUint8Array().slice();
}

/** `model` (a .tflite without metadata) with `metadata` added as its TFLITE_METADATA. */
export function withMetadata(model: Uint8Array, metadata: Uint8Array): Uint8Array {
  const old = new Reader(model);
  const root = old.u32(0);
  if (new TextDecoder().decode(model.subarray(4, 8)) !== 'TFL3') throw new Error('not a TFLite model');
  if (old.field(root, MODEL.metadata)) throw new Error('the model has metadata already');
  const oldBuffers = old.target(old.field(root, MODEL.buffers));
  const buffers = old.u32(oldBuffers);

  // The prefix, laid out first, then written: each part's place is known before any offset.
  const layout: Array<[string, number, number]> = []; // name, start, size
  let size = 0;
  const place = (name: string, bytes: number, align = 4, before = 0) => {
    while ((size + before) % align) size++;
    layout.push([name, size, bytes]);
    size += bytes;
    return layout.at(-1)![1];
  };
  place('header', 8);
  const vtable = place('vtable', 4 + 2 * MODEL.fields);
  const table = place('table', 4 + 4 * 7);
  const bufferList = place('buffers', 4 + 4 * (buffers + 1));
  const metadataList = place('metadata', 8);
  const entryVtable = place('entry vtable', 8);
  const entry = place('entry', 12);
  const name = place('name', 4 + 'TFLITE_METADATA'.length + 1);
  const bufferVtable = place('buffer vtable', 8);
  const buffer = place('buffer', 8);
  // The metadata bytes 16-aligned (their length word just before).
  const data = place('data', 4 + metadata.length, 16, 4);
  while (size % 16) size++;
  const shift = size;

  const out = new Uint8Array(shift + model.length);
  const view = new DataView(out.buffer);
  const u16 = (at: number, v: number) => view.setUint16(at, v, true);
  const u32 = (at: number, v: number) => view.setUint32(at, v, true);
  const i32 = (at: number, v: number) => view.setInt32(at, v, true);
  const ref = (at: number, target: number) => u32(at, target - at);

  u32(0, table);
  out.set(new TextEncoder().encode('TFL3'), 4);
  // The Model: the old fields that exist, buffers and metadata new.
  u16(vtable, 4 + 2 * MODEL.fields);
  u16(vtable + 2, 4 + 4 * 7);
  i32(table, table - vtable);
  for (const f of [MODEL.version, MODEL.operatorCodes, MODEL.subgraphs, MODEL.description, MODEL.buffers, MODEL.metadataBuffer, MODEL.metadata]) {
    const at = table + 4 + 4 * f;
    const was = old.field(root, f);
    if (f === MODEL.buffers) ref(at, bufferList);
    else if (f === MODEL.metadata) ref(at, metadataList);
    else if (!was) continue;
    else if (f === MODEL.version) u32(at, old.u32(was));
    else ref(at, old.target(was) + shift);
    u16(vtable + 4 + 2 * f, 4 + 4 * f);
  }
  u32(bufferList, buffers + 1);
  for (let k = 0; k < buffers; k++) ref(bufferList + 4 + 4 * k, old.target(oldBuffers + 4 + 4 * k) + shift);
  ref(bufferList + 4 + 4 * buffers, buffer);
  // Metadata { name (0): "TFLITE_METADATA", buffer (1): the new buffer's index }
  u32(metadataList, 1);
  ref(metadataList + 4, entry);
  u16(entryVtable, 8);
  u16(entryVtable + 2, 12);
  u16(entryVtable + 4, 4);
  u16(entryVtable + 6, 8);
  i32(entry, entry - entryVtable);
  ref(entry + 4, name);
  u32(entry + 8, buffers);
  u32(name, 'TFLITE_METADATA'.length);
  out.set(new TextEncoder().encode('TFLITE_METADATA'), name + 4);
  // Buffer { data (0) }
  u16(bufferVtable, 6);
  u16(bufferVtable + 2, 8);
  u16(bufferVtable + 4, 4);
  i32(buffer, buffer - bufferVtable);
  ref(buffer + 4, data);
  u32(data, metadata.length);
  out.set(metadata, data + 4);
  out.set(model, shift);
  return out;
}

/** The names and sizes of a model's metadata entries and its input and output tensors (tests). */
export function describeModel(model: Uint8Array): { metadata: Array<{ name: string; bytes: number }>; buffers: number } {
  const r = new Reader(model);
  const root = r.u32(0);
  const text = (at: number) => {
    const s = r.target(at);
    return new TextDecoder().decode(model.subarray(s + 4, s + 4 + r.u32(s)));
  };
  const vector = (at: number) => (at ? { start: r.target(at) + 4, length: r.u32(r.target(at)) } : { start: 0, length: 0 });
  const buffers = vector(r.field(root, MODEL.buffers));
  const entries = vector(r.field(root, MODEL.metadata));
  const metadata = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = r.target(entries.start + 4 * i);
    const index = r.u32(r.field(entry, 1));
    const buffer = r.target(buffers.start + 4 * index);
    const bytes = vector(r.field(buffer, 0)).length;
    metadata.push({ name: text(r.field(entry, 0)), bytes });
  }
  return { metadata, buffers: buffers.length };
}
