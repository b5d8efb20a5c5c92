import { publishLevelChange } from '../../shared/app/live-levels.ts';
import { streamHandler } from '../../shared/triggers.ts';

/**
 * Each new version of a stock level to `stockclub/live/levels/{locationId}`
 * (the filter in infra/streams.ts passes level items only). A failed publish
 * is reported and retried with the records after it; clients drop versions
 * they have already shown (docs/live-stock.md).
 */
export const liveLevels = streamHandler(async ({ oldImage, newImage }) => {
  await publishLevelChange(oldImage, newImage);
});
