/**
 * Every size and count limit of the engine, in one place so they can be read,
 * tuned and tested together (nodemailer and imapflow keep theirs the same
 * way). Add new limits here with a comment saying what they protect.
 * Plain data only: any part of the engine may import this file.
 */
export const LIMITS = {
  /**
   * The largest raw message the MIME parser accepts, in bytes. Bigger than
   * any server's usual 25-50 MB submission limit (base64 grows attachments by
   * a third), small enough that one hostile message cannot fill the memory of
   * the process that parses it.
   */
  maxParseBytes: 96 * 1024 * 1024,
  /**
   * The most MIME parts one message may have (mailparser's maxChildNodes).
   * Real mail has tens; a message with more is an attack on the parser.
   */
  maxMimeParts: 1000,
  /** The largest header block of one MIME part, in bytes (mailparser's maxHeadSize). */
  maxMimeHeaderBytes: 1024 * 1024,
  /**
   * The most attachments listed in the message model. Parts past this are
   * still parsed through but not listed, so the view and the IPC payload
   * stay small.
   */
  maxAttachmentsListed: 500,
  /**
   * The longest file name offered for saving an attachment, in bytes of
   * UTF-8. File systems allow 255; the margin leaves room for " (2)" and
   * similar suffixes added on collision.
   */
  maxFileNameBytes: 200,
  /** The most recipients (To + Cc + Bcc) of one composed message. */
  maxRecipients: 500,
  /** How long to wait for a TCP (and TLS) connection to a mail server. */
  connectTimeoutMs: 15_000,
  /** How long to wait for a server's greeting after connecting. */
  greetingTimeoutMs: 15_000,
  /** A connection silent for this long is considered dead. */
  socketIdleTimeoutMs: 5 * 60_000,
  /**
   * An account's IMAP connection waits this long after a call for the next
   * one (imap/imap-pool.ts); well under the 30 minutes a server may keep an
   * idle session (RFC 9051 5.4), and short enough that few sit unused.
   */
  imapReuseIdleMs: 60_000,
  /** How long a waiting connection has to answer NOOP before a new one is made instead. */
  imapReuseProbeMs: 5_000,
  /** TLS contexts kept for accounts with a private CA (net/tls-policy.ts), one per CA. */
  tlsContextsKept: 16,
  /** Headers written per transaction during sync (newest first), so the list fills in steps. */
  headerFetchBatch: 500,
  /**
   * Messages asked for in one header FETCH after the first (which asks for
   * one batch, the newest: the server answers oldest first within a FETCH).
   * Its rows are parsed and written in batches while the server still sends
   * (imap-headers.ts streamHeaders);
   * between commands the sync waits for the writer (headerBatchesInFlight),
   * which bounds the rows held in memory to about this many.
   */
  headerFetchCommand: 5000,
  /**
   * A folder with at least this many new headers has them written by a
   * thread of their own (store/store-writer.ts) while this one reads the
   * next FETCH; below it, starting the thread (~50 ms) costs more than it saves.
   */
  headerWriterThreadMin: 2000,
  /** The store writer thread's young generation (it allocates little: rows, JSON strings, body text). */
  storeWriterYoungGenerationMb: 8,
  /**
   * Header batches read but not yet written before the next FETCH is sent:
   * bounds memory when the server is faster than the disk (with the command
   * under way, at most about headerFetchCommand rows more), and lets the
   * reader go on while the writer thread starts.
   */
  headerBatchesInFlight: 4,
  /**
   * Rows given their search-index entry per transaction after a header sync
   * (MailStore.indexPendingHeaders): about 10-20 ms each, so the engine
   * answers other calls in between.
   */
  headerIndexBatch: 1000,
  /** Stored messages read and indexed per transaction when the body index is repaired at start (body-index.ts indexPending). */
  bodyIndexRepairBatch: 200,
  /** Largest attachment the composer accepts over IPC, in decoded bytes. */
  maxOutgoingAttachmentBytes: 50 * 1024 * 1024,
  /**
   * The slice of a message handed to the SMTP connection at a time while
   * sending; progress is counted in these, and no more than this waits in
   * our own buffers on top of the socket's.
   */
  smtpUploadChunkBytes: 64 * 1024,
  /**
   * The nice value of the engine's worker thread (0 normal, 19 lowest): below
   * the thread serving the UI, not so low that other programs starve a sync
   * (10 would leave it a tenth of a busy core).
   */
  engineThreadNice: 5,
  /** How many numbered names ("a (2).pdf" …) are tried before saving a file gives up. */
  maxSaveNameAttempts: 1000,
  /** Attachments opened with the system's application are removed from Postern's folder after this long. */
  openedAttachmentMaxAgeMs: 7 * 24 * 60 * 60_000,
  /** The most of a raw message the source view shows, in bytes (the rest can be saved). */
  maxSourceViewBytes: 2 * 1024 * 1024,
  /** Largest message the web bridge accepts from the page (attachments travel base64). */
  maxBridgeMessageBytes: 80 * 1024 * 1024,
  /** The longest POP3 status line (+OK, -ERR, SASL challenge) accepted, in bytes. RFC 1939 allows 512. */
  maxPop3StatusLineBytes: 8 * 1024,
  /**
   * The longest line inside a POP3 multi-line answer, in bytes. Mail lines
   * should stay under 1000 (RFC 5322) but real ones run far longer; this
   * stops a server that never sends CRLF long before maxPop3ResponseBytes.
   */
  maxPop3LineBytes: 4 * 1024 * 1024,
  /**
   * The largest POP3 multi-line answer (one RETR'd message, a whole UIDL
   * listing) after dot-unstuffing: as big as the MIME parser accepts, since a
   * bigger message could not be shown anyway (fetch its head with TOP).
   */
  maxPop3ResponseBytes: 64 * 1024 * 1024,
  /** How long a POP3 command may wait without one byte from the server before the connection is called dead. */
  pop3CommandIdleTimeoutMs: 60_000,
  /** Bodies fetched per IMAP FETCH during prefetch: enough to stream, few enough to hold in memory. */
  bodyFetchBatch: 100,
  /** ...and at most this many advertised bytes per FETCH batch (one huge message still goes alone). */
  bodyFetchBatchBytes: 32 * 1024 * 1024,
  /**
   * A folder with at least this many bodies to download has them recorded
   * and indexed (FTS5, the costliest part of storing a body) by a writer
   * thread (store/store-writer.ts) while this one reads and decodes the
   * next batch; below it the thread's start costs more than it saves.
   */
  bodyWriterThreadMin: 500,
  /**
   * Body batches decoded but not yet recorded, at most: their text waits in
   * memory (100 messages' text is about 1-3 MB), the raw bytes do not.
   */
  bodyBatchesInFlight: 3,
  /**
   * Body batches whose files are being made durable (written, fsynced) and
   * words read, at most: the next one starts while one waits for its fsync.
   * Each holds its raw bytes (a slab) until then.
   */
  bodyBatchesPreparing: 2,
  /**
   * The body download copies a batch's messages into a slab used again for
   * later batches (common/slabs.ts); a slab bigger than this (a batch of
   * large messages: 100 × 23 KB is about 3 MB) is used once, not kept.
   */
  bodySlabKeepBytes: 16 * 1024 * 1024,
  /**
   * A stored message this small is read whole (mime/raw-source.ts); a
   * bigger one is streamed from its file in chunks. The same bound decides
   * which messages a body download packs with others into one file
   * (store/blob-store.ts): a packed message is always one that is read
   * whole, a bigger one gets a file of its own to stream from.
   */
  readWholeMessageBytes: 4 * 1024 * 1024,
  /**
   * A stored message nothing refers to is deleted only this long after it
   * was marked, and no file written within this long is deleted at all
   * (store/blob-reclaim.ts): a writer stores a message a moment before the
   * row that refers to it commits, and one that found an old copy just
   * before the mark commits its row within seconds, not an hour.
   */
  blobReclaimGraceMs: 60 * 60 * 1000,
  /** The engine's upkeep (service/housekeeping.ts: reclaiming space, forgetting finished tasks) runs this long after it starts, */
  housekeepingFirstDelayMs: 60 * 1000,
  /** and then this often. */
  housekeepingEveryMs: 6 * 60 * 60 * 1000,
  /**
   * A finished task is kept this long (mail:tasks.list with include_done
   * shows it), then forgotten: every sync reads the task list, and one
   * that only grew made each read slower.
   */
  doneTasksKeepMs: 7 * 24 * 60 * 60 * 1000,
  /**
   * A pack whose kept messages fill at most this share of it is rewritten
   * with only them (the old one is then deleted): deleting mail here and
   * there leaves most packs partly used, and a pack goes only when empty.
   * At a half, deleting a third of 100k messages evenly gave back nothing;
   * at three quarters a quarter of a pack is the most left unused, for
   * writing each kept byte again at most every few runs.
   */
  blobRepackBelowShare: 0.75,
  /** Marked messages deleted per transaction (each a file unlinked while SQLite's write lock is held). */
  blobReclaimBatch: 500,
  /**
   * A body download of at least this many bytes ends with one last-resort GC
   * (common/garbage.ts): V8 keeps pages it no longer uses after a big sync.
   */
  bodyGarbageBytes: 32 * 1024 * 1024,
  /**
   * How deep elements of a mail's HTML may nest before it is shown as text.
   * The sanitiser's parser is quadratic in the depth (a million nested divs,
   * 5 MB, did not finish in minutes); Chrome itself flattens past 512.
   */
  maxHtmlNestingDepth: 512,
  /**
   * The most characters of a mail's HTML that are sanitised and shown; past
   * this only the beginning is shown (with a note). Sanitising runs at about
   * 1 MB/s on markup-dense HTML, and real newsletters are well under 1 MB
   * (Gmail clips at 102 KB).
   */
  maxHtmlChars: 2 * 1024 * 1024,
  /** Push: wait this long after a server notification so a burst makes one sync. */
  pushDebounceMs: 300,
  /** Push: first reconnect delay after the IDLE connection drops; doubles each try... */
  pushBackoffMinMs: 1000,
  /** ...up to this. */
  pushBackoffMaxMs: 5 * 60_000,
  /** A push connection that lived this long counts as healthy: the backoff starts over. */
  pushStableAfterMs: 60_000,
  /** IDLE is restarted this often (RFC 9051 asks for less than 29 minutes). */
  idleRestartMs: 10 * 60_000,
  /** Folders other than the pushed ones are checked with STATUS this often. */
  statusPollMs: 5 * 60_000,
  /** A push connection enters IDLE this soon after its last command. */
  idleStartDelayMs: 200,
  /** POP3 accounts (no push) are checked this often while the app runs. */
  pop3CheckMs: 5 * 60_000,
  /** How long a person has to finish an OAuth sign-in in the browser. */
  oauthSignInTimeoutMs: 10 * 60_000,
  /**
   * How long a code the browser brought back waits for the app to claim it:
   * the browser can come back before the app asks (a provider that approves
   * at once), and providers let a code live for minutes (RFC 6749 4.1.2).
   */
  oauthUnclaimedCodeMs: 2 * 60_000,
  /**
   * Finding an address's server settings (accounts/discover.ts). An
   * autoconfig file is a few KB; the cap keeps a hostile server from
   * filling memory, the depth from recursing the reader deep, the deadline
   * from holding the form on a host that never answers, the redirects from
   * looping.
   */
  autoconfigMaxBytes: 256 * 1024,
  autoconfigMaxDepth: 32,
  autoconfigTimeoutMs: 8_000,
  /** Each DNS question (MX, SRV) of that look-up, asked twice at most. */
  autoconfigDnsTimeoutMs: 3_000,
  autoconfigMaxRedirects: 3,
} as const;
