export * from './rendition-segment.repository';
export * from './session.repository';
export * from './stream.repository';
export * from './recording.repository';
export * from './segment-history.repository';
