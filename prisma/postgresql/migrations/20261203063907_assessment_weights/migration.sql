-- CreateTable
CREATE TABLE "AssessmentWeightSet" (
    "version" INTEGER NOT NULL,
    "weightSet" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "createdById" TEXT,

    CONSTRAINT "AssessmentWeightSet_pkey" PRIMARY KEY ("version")
);
