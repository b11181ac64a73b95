/**
 * The seven searches of issue 3, each in Postern's syntax and notmuch's.
 * They look for words the corpus plants at known rates (corpus.ts MARKERS).
 */
import { MARKERS } from './corpus.ts';

export interface BenchQuery {
  name: string;
  postern: string;
  notmuch: string;
}

export const QUERIES: readonly BenchQuery[] = [
  { name: 'a word', postern: MARKERS.word, notmuch: MARKERS.word },
  { name: 'from:', postern: `from:${MARKERS.senderSurname.toLowerCase()}`, notmuch: `from:${MARKERS.senderSurname.toLowerCase()}` },
  { name: 'subject:', postern: `subject:${MARKERS.subjectWord}`, notmuch: `subject:${MARKERS.subjectWord}` },
  // One month in the middle of the corpus (notmuch's end date includes the whole day).
  { name: 'date range', postern: 'after:2024-03-01 before:2024-04-01', notmuch: 'date:2024-03-01..2024-03-31' },
  { name: 'phrase', postern: `"${MARKERS.phrase}"`, notmuch: `"${MARKERS.phrase}"` },
  { name: 'rare word', postern: MARKERS.rareWord, notmuch: MARKERS.rareWord },
  { name: 'common word', postern: MARKERS.commonWord, notmuch: MARKERS.commonWord },
];

/** Both answer the newest this many (Postern's mail:search default). */
export const SEARCH_LIMIT = 200;

/** Hits are counted with mail:search's largest limit; a count this high means "at least". */
export const HITS_CAP = 10_000;
