import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { gateEventsTopic } from '../../infra/topics.ts';

/**
 * Acknowledgements and alarms back to a gate, through the IoT data plane.
 * Locally `AWS_ENDPOINT_URL_IOT_DATA_PLANE` points the client at the local
 * broker's publish endpoint, so the code path is the one AWS runs.
 */
export const iotDataClient = new IoTDataPlaneClient({});

export const publishGateEvent = async (locationId: string, gateId: string, event: Record<string, unknown>): Promise<void> => {
  await iotDataClient.send(
    new PublishCommand({
      topic: gateEventsTopic(locationId, gateId),
      qos: 1,
      contentType: 'application/json',
      payload: new TextEncoder().encode(JSON.stringify(event)),
    }),
  );
};
