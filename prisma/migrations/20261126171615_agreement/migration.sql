-- CreateTable
CREATE TABLE "Agreement" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "currentRev" INTEGER NOT NULL,
    "frozenRev" INTEGER,
    "frozenHash" TEXT,
    "signingOrder" TEXT NOT NULL DEFAULT 'parties_first',
    "requireWitness" BOOLEAN NOT NULL DEFAULT false,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AgreementRevision" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "agreementId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "content" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AgreementComment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "agreementId" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "clauseIndex" INTEGER NOT NULL,
    "author" TEXT NOT NULL,
    "authorName" TEXT NOT NULL,
    "side" TEXT,
    "text" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AgreementSignature" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "agreementId" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "revisionHash" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "partyId" TEXT,
    "userId" TEXT,
    "actor" TEXT NOT NULL,
    "signerName" TEXT NOT NULL,
    "side" TEXT,
    "refusalReason" TEXT,
    "imagePng" BLOB,
    "imageSha256" TEXT,
    "consentTextSha256" TEXT,
    "identityMethod" TEXT NOT NULL,
    "ip" TEXT NOT NULL,
    "userAgent" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "cancelledAt" DATETIME
);

-- CreateTable
CREATE TABLE "AgreementSigningLink" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "agreementId" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "revokedAt" DATETIME
);

-- CreateTable
CREATE TABLE "AgreementOtp" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "agreementId" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "revisionHash" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "consumedAt" DATETIME
);

-- CreateTable
CREATE TABLE "SmsOutbox" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "phone" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AgreementDocument" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "agreementId" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "revisionHash" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "verificationCode" TEXT NOT NULL,
    "timelineHash" TEXT NOT NULL,
    "events" TEXT NOT NULL,
    "sealedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Agreement_caseId_key" ON "Agreement"("caseId");

-- CreateIndex
CREATE UNIQUE INDEX "AgreementRevision_agreementId_number_key" ON "AgreementRevision"("agreementId", "number");

-- CreateIndex
CREATE INDEX "AgreementComment_agreementId_idx" ON "AgreementComment"("agreementId");

-- CreateIndex
CREATE INDEX "AgreementSignature_agreementId_revisionHash_idx" ON "AgreementSignature"("agreementId", "revisionHash");

-- CreateIndex
CREATE INDEX "AgreementSignature_imageSha256_idx" ON "AgreementSignature"("imageSha256");

-- CreateIndex
CREATE UNIQUE INDEX "AgreementSigningLink_tokenHash_key" ON "AgreementSigningLink"("tokenHash");

-- CreateIndex
CREATE INDEX "AgreementSigningLink_agreementId_idx" ON "AgreementSigningLink"("agreementId");

-- CreateIndex
CREATE INDEX "AgreementOtp_agreementId_partyId_idx" ON "AgreementOtp"("agreementId", "partyId");

-- CreateIndex
CREATE UNIQUE INDEX "AgreementDocument_agreementId_key" ON "AgreementDocument"("agreementId");

-- CreateIndex
CREATE UNIQUE INDEX "AgreementDocument_sha256_key" ON "AgreementDocument"("sha256");

-- CreateIndex
CREATE UNIQUE INDEX "AgreementDocument_verificationCode_key" ON "AgreementDocument"("verificationCode");

-- CreateIndex
CREATE INDEX "AgreementDocument_caseId_idx" ON "AgreementDocument"("caseId");
