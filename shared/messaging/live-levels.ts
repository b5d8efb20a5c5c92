import { PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { liveLevelsTopic } from '../domain/live.ts';
import { iotDataClient } from './gate-events.ts';

/**
 * A live level message to its location's topic through the IoT data plane,
 * QoS 1 (IoT Core acknowledges before Publish answers). Locally
 * `AWS_ENDPOINT_URL_IOT_DATA_PLANE` points at the local broker's publish
 * endpoint, which delivers it to the browsers on `ws://…/mqtt`.
 */
export const publishLiveLevel = async (locationId: string, message: Record<string, unknown>): Promise<void> => {
  await iotDataClient.send(
    new PublishCommand({
      topic: liveLevelsTopic(locationId),
      qos: 1,
      contentType: 'application/json',
      payload: new TextEncoder().encode(JSON.stringify(message)),
    }),
  );
};
