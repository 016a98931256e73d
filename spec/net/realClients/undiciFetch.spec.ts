import { describeDrainUnderLoad } from './support/drainMatrix';

// undici fetch through an undici Agent (20 keep-alive connections), closed loops of GET.
describeDrainUnderLoad('undici fetch', ['GET']);
