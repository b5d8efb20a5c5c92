import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { gateEventsTopic } from '../../infra/topics.ts';
import { liveGatesTopic } from '../domain/live.ts';

/**
 * Acknowledgements and alarms back to a gate, through the IoT data plane.
 * Locally `AWS_ENDPOINT_URL_IOT_DATA_PLANE` points the client at the local
 * broker's publish endpoint, so the code path is the one AWS runs.
 */
export const iotDataClient = new IoTDataPlaneClient({});

const publishJson = (topic: string, body: Record<string, unknown>) =>
  iotDataClient.send(new PublishCommand({ topic, qos: 1, contentType: 'application/json', payload: new TextEncoder().encode(JSON.stringify(body)) }));

/** An event to the gate on its events topic, and to the location's viewers (HQ and store consoles) on its live gates topic, with the gate named. */
export const publishGateEvent = async (locationId: string, gateId: string, event: Record<string, unknown>): Promise<void> => {
  await publishJson(gateEventsTopic(locationId, gateId), event);
  await publishJson(liveGatesTopic(locationId), { ...event, locationId, gateId });
};
