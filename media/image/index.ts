/**
 * The image and mask library (sharp for codecs and resampling, plain loops for exact pixel ops). Every
 * function takes and returns `RawImage` values, the engine's IMAGE and MASK, and imports nothing of ours.
 */

// Pixels and colours
export { rawImage, assertRawImage, toChannels, toSharp, fromSharp, parseColor } from './raw.js';
export type { RawImage, Rgb } from './raw.js';

// Files and codecs
export { readImage, decodeImage, encodeImage, writeImage, saveNumbered, formatOf, IMAGE_FORMATS } from './io.js';
export type { ImageFormat, EncodeOptions } from './io.js';

// Geometry
export { resizeImage, areaResize, resizeNearest, cropImage, pasteInto, RESIZE_FITS, RESIZE_METHODS } from './geometry.js';
export type { ResizeOptions, ResizeFit, ResizeMethod, Region } from './geometry.js';

// Compositing
export { compositeImages, gridImages } from './composite.js';
export type { CompositeOptions, GridOptions } from './composite.js';

// Masks
export { thresholdMask, invertMask, fitMask, overlayMask, MASK_CHANNELS } from './mask.js';
export type { MaskChannel } from './mask.js';

// Previews
export { lazyPreview, previewDataUrl } from './preview.js';
export { encodePng } from './png.js';
export type { PreviewImage } from './preview.js';
export { sharpThreads } from './sharp-threads.js';
