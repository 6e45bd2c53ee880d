-- CreateTable
CREATE TABLE "MediationRecord" (
    "id" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "currentRev" INTEGER NOT NULL,
    "frozenRev" INTEGER,
    "frozenHash" TEXT,
    "frozenSeq" INTEGER,
    "recorderId" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "sealingDocId" TEXT,
    "sealingAt" TIMESTAMP(3),

    CONSTRAINT "MediationRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MediationRecordRevision" (
    "id" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "content" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MediationRecordRevision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MediationRecordConfirmation" (
    "id" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "revisionHash" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "signerName" TEXT NOT NULL,
    "side" TEXT,
    "objection" TEXT,
    "imagePng" BYTEA,
    "imageSha256" TEXT,
    "consentTextSha256" TEXT,
    "identityMethod" TEXT NOT NULL,
    "ip" TEXT NOT NULL,
    "userAgent" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MediationRecordConfirmation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MediationRecordOtp" (
    "id" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "revisionHash" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "consumedAt" TIMESTAMP(3),

    CONSTRAINT "MediationRecordOtp_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MediationRecordDocument" (
    "id" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "revisionHash" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "verificationCode" TEXT NOT NULL,
    "timelineHash" TEXT NOT NULL,
    "events" TEXT NOT NULL,
    "sealedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MediationRecordDocument_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SealedDocumentLink" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "laterKind" TEXT NOT NULL,
    "laterId" TEXT NOT NULL,
    "earlierKind" TEXT NOT NULL,
    "earlierId" TEXT NOT NULL,
    "earlierNumber" TEXT NOT NULL,
    "earlierSha256" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SealedDocumentLink_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "MediationRecord_sessionId_key" ON "MediationRecord"("sessionId");

-- CreateIndex
CREATE UNIQUE INDEX "MediationRecord_sealingDocId_key" ON "MediationRecord"("sealingDocId");

-- CreateIndex
CREATE INDEX "MediationRecord_caseId_idx" ON "MediationRecord"("caseId");

-- CreateIndex
CREATE UNIQUE INDEX "MediationRecordRevision_recordId_number_key" ON "MediationRecordRevision"("recordId", "number");

-- CreateIndex
CREATE INDEX "MediationRecordConfirmation_imageSha256_idx" ON "MediationRecordConfirmation"("imageSha256");

-- CreateIndex
CREATE UNIQUE INDEX "MediationRecordConfirmation_recordId_revisionHash_partyId_key" ON "MediationRecordConfirmation"("recordId", "revisionHash", "partyId");

-- CreateIndex
CREATE INDEX "MediationRecordOtp_recordId_partyId_idx" ON "MediationRecordOtp"("recordId", "partyId");

-- CreateIndex
CREATE UNIQUE INDEX "MediationRecordDocument_recordId_key" ON "MediationRecordDocument"("recordId");

-- CreateIndex
CREATE UNIQUE INDEX "MediationRecordDocument_number_key" ON "MediationRecordDocument"("number");

-- CreateIndex
CREATE UNIQUE INDEX "MediationRecordDocument_sha256_key" ON "MediationRecordDocument"("sha256");

-- CreateIndex
CREATE UNIQUE INDEX "MediationRecordDocument_verificationCode_key" ON "MediationRecordDocument"("verificationCode");

-- CreateIndex
CREATE INDEX "MediationRecordDocument_caseId_idx" ON "MediationRecordDocument"("caseId");

-- CreateIndex
CREATE INDEX "SealedDocumentLink_earlierId_idx" ON "SealedDocumentLink"("earlierId");

-- CreateIndex
CREATE UNIQUE INDEX "SealedDocumentLink_laterId_earlierId_key" ON "SealedDocumentLink"("laterId", "earlierId");
