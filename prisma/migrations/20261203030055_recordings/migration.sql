-- CreateTable
CREATE TABLE "Recording" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sessionId" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "startedById" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "stateAt" DATETIME NOT NULL,
    "endedAt" DATETIME,
    "composeState" TEXT NOT NULL DEFAULT 'none',
    "composeProgress" REAL NOT NULL DEFAULT 0,
    "composeError" TEXT,
    "composedPath" TEXT,
    "composedBytes" INTEGER,
    "composedSha256" TEXT,
    "deletedAt" DATETIME
);

-- CreateTable
CREATE TABLE "RecordingTrack" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "recordingId" TEXT NOT NULL,
    "identity" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "side" TEXT,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "producerId" TEXT NOT NULL,
    "codec" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "endedAt" DATETIME,
    "bytes" INTEGER,
    "sha256" TEXT,
    "gaps" TEXT NOT NULL DEFAULT '[]',
    CONSTRAINT "RecordingTrack_recordingId_fkey" FOREIGN KEY ("recordingId") REFERENCES "Recording" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RecordingConsent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sessionId" TEXT NOT NULL,
    "identity" TEXT NOT NULL,
    "invitationId" TEXT,
    "consentedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Recording_sessionId_key" ON "Recording"("sessionId");

-- CreateIndex
CREATE INDEX "Recording_caseId_idx" ON "Recording"("caseId");

-- CreateIndex
CREATE INDEX "RecordingTrack_recordingId_idx" ON "RecordingTrack"("recordingId");

-- CreateIndex
CREATE UNIQUE INDEX "RecordingConsent_sessionId_identity_key" ON "RecordingConsent"("sessionId", "identity");
