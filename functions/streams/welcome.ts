import { welcome as greet } from '../../shared/app/messages.ts';
import { streamHandler } from '../../shared/triggers.ts';

/** New members and signup-attempt notices (the stream filter passes only these): each gets its one message. */
export const welcome = streamHandler(async ({ newImage: item }) => {
  if (!item) return;
  await greet(item);
});
