export * from './stream.entity';
export * from './session.entity';
export * from './segment.entity';
export * from './rendition-segment.entity';
import { RecordingEntity, RecordingExportEntity } from './recording.entity';
export * from './webhook-endpoint.entity';
export * from './webhook-delivery.entity';
export * from './api-key.entity';
import { ApiKeyEntity } from './api-key.entity';
import { RenditionSegmentEntity } from './rendition-segment.entity';
import { SegmentEntity } from './segment.entity';
import { SessionEntity } from './session.entity';
import { StreamEntity } from './stream.entity';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';

export const ENTITIES = [
  StreamEntity,
  SessionEntity,
  SegmentEntity,
  RenditionSegmentEntity,
  WebhookEndpointEntity,
  WebhookDeliveryEntity,
  ApiKeyEntity,
  RecordingEntity,
  RecordingExportEntity,
];
export * from './recording.entity';
