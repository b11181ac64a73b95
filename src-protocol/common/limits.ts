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
  maxParseBytes: 64 * 1024 * 1024,
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
  /** Headers fetched per IMAP FETCH during sync (newest first), so the list fills in steps. */
  headerFetchBatch: 500,
  /** Largest attachment the composer accepts over IPC, in decoded bytes. */
  maxOutgoingAttachmentBytes: 50 * 1024 * 1024,
  /** Largest message the web bridge accepts from the page (attachments travel base64). */
  maxBridgeMessageBytes: 80 * 1024 * 1024,
} as const;
