-- CreateTable
CREATE TABLE "JudicialApplication" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "agreementId" TEXT NOT NULL,
    "courtUnitId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "effectiveAt" DATETIME NOT NULL,
    "deadlineAt" DATETIME NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "submittedAt" DATETIME,
    "judgeId" TEXT,
    "decidedAt" DATETIME,
    "decisionReasons" TEXT,
    "sealingDocId" TEXT,
    CONSTRAINT "JudicialApplication_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "JudicialApplication_courtUnitId_fkey" FOREIGN KEY ("courtUnitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "JudicialApplicationConfirmation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "applicationId" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "signerName" TEXT NOT NULL,
    "imagePng" BLOB NOT NULL,
    "imageSha256" TEXT NOT NULL,
    "consentTextSha256" TEXT NOT NULL,
    "identityMethod" TEXT NOT NULL,
    "ip" TEXT NOT NULL,
    "userAgent" TEXT NOT NULL,
    "at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "JudicialApplicationLink" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "applicationId" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "revokedAt" DATETIME
);

-- CreateTable
CREATE TABLE "JudicialApplicationOtp" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "applicationId" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "consumedAt" DATETIME
);

-- CreateTable
CREATE TABLE "JudicialRuling" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "applicationId" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "verificationCode" TEXT NOT NULL,
    "events" TEXT NOT NULL,
    "sealedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "JudicialApplication_sealingDocId_key" ON "JudicialApplication"("sealingDocId");

-- CreateIndex
CREATE INDEX "JudicialApplication_caseId_idx" ON "JudicialApplication"("caseId");

-- CreateIndex
CREATE INDEX "JudicialApplication_courtUnitId_status_idx" ON "JudicialApplication"("courtUnitId", "status");

-- CreateIndex
CREATE INDEX "JudicialApplicationConfirmation_imageSha256_idx" ON "JudicialApplicationConfirmation"("imageSha256");

-- CreateIndex
CREATE UNIQUE INDEX "JudicialApplicationConfirmation_applicationId_partyId_key" ON "JudicialApplicationConfirmation"("applicationId", "partyId");

-- CreateIndex
CREATE UNIQUE INDEX "JudicialApplicationLink_tokenHash_key" ON "JudicialApplicationLink"("tokenHash");

-- CreateIndex
CREATE INDEX "JudicialApplicationLink_applicationId_idx" ON "JudicialApplicationLink"("applicationId");

-- CreateIndex
CREATE INDEX "JudicialApplicationOtp_applicationId_partyId_idx" ON "JudicialApplicationOtp"("applicationId", "partyId");

-- CreateIndex
CREATE UNIQUE INDEX "JudicialRuling_applicationId_key" ON "JudicialRuling"("applicationId");

-- CreateIndex
CREATE UNIQUE INDEX "JudicialRuling_number_key" ON "JudicialRuling"("number");

-- CreateIndex
CREATE UNIQUE INDEX "JudicialRuling_sha256_key" ON "JudicialRuling"("sha256");

-- CreateIndex
CREATE UNIQUE INDEX "JudicialRuling_verificationCode_key" ON "JudicialRuling"("verificationCode");

-- CreateIndex
CREATE INDEX "JudicialRuling_caseId_idx" ON "JudicialRuling"("caseId");
