// The XML reader and the S3 answers built on it, with documents shaped like radosgw's and AWS's.
#include "lib/s3/xml.hpp"

#include <gtest/gtest.h>

#include "lib/s3/responses.hpp"

using namespace st::lib::s3;

TEST(S3Xml, ElementsTextEntitiesAndNamespaces) {
  XmlNode root = parse_xml(
      "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c --><a:Root xmlns:a='x' k=\"v\">"
      "<Key>a &amp; b &lt;c&gt; &#233;&#x1F3B5;</Key><Empty/><Data><![CDATA[<raw>&amp;]]></Data></a:Root>");
  EXPECT_EQ(root.name, "Root");
  EXPECT_EQ(root.child_text("Key"), "a & b <c> \xC3\xA9\xF0\x9F\x8E\xB5");
  ASSERT_NE(root.child("Empty"), nullptr);
  EXPECT_EQ(root.child_text("Empty"), "");
  EXPECT_EQ(root.child_text("Data"), "<raw>&amp;");
  EXPECT_EQ(root.child("Missing"), nullptr);
}

TEST(S3Xml, MalformedDocumentsAreRefused) {
  for (const char* doc : {"", "text", "<a>", "<a></b>", "<a><b></a></b>", "<a>&unknown;</a>", "<a>&#0;</a>",
                          "<a>&#xD800;</a>", "<a>&#x110000;</a>", "<a>&#12</a>", "<a x=1/>", "<a x='1/>",
                          "<a/><b/>", "<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>", "<a><![CDATA[x</a>", "<a><!-- x</a>",
                          "<a></a >x", "< a/>"}) {
    EXPECT_THROW(parse_xml(doc), XmlError) << doc;
  }
}

TEST(S3Xml, LimitsHold) {
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "<a>";
  for (int i = 0; i < 40; ++i) deep += "</a>";
  EXPECT_THROW(parse_xml(deep), XmlError);
  XmlLimits small;
  small.max_nodes = 3;
  EXPECT_NO_THROW(parse_xml("<a><b/><c/></a>", small));
  EXPECT_THROW(parse_xml("<a><b/><c/><d/></a>", small), XmlError);
  small.max_bytes = 4;
  EXPECT_THROW(parse_xml("<a></a>", small), XmlError);
}

TEST(S3Xml, EscapeRoundTrips) {
  std::string text = "R&B <live> \"x\" 'y'";
  EXPECT_EQ(parse_xml("<a>" + xml_escape(text) + "</a>").text, text);
}

TEST(S3Responses, ObjectListPage) {
  ObjectList page = parse_object_list(
      R"(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
      R"(<Name>b</Name><Prefix>st/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>)"
      R"(<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>)"
      R"(<Contents><Key>st/a.flac</Key><LastModified>2026-12-04T10:00:00.000Z</LastModified>)"
      R"(<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>1048576</Size><StorageClass>STANDARD</StorageClass></Contents>)"
      R"(<Contents><Key>st/b &amp; c.mp3</Key><Size>0</Size></Contents></ListBucketResult>)");
  ASSERT_EQ(page.objects.size(), 2u);
  EXPECT_EQ(page.objects[0].key, "st/a.flac");
  EXPECT_EQ(page.objects[0].size, 1048576u);
  EXPECT_EQ(page.objects[0].etag, "\"9b2cf535f27731c974343645a3985328\"");
  EXPECT_EQ(page.objects[1].key, "st/b & c.mp3");
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(S3Responses, MalformedListsAreRefused) {
  EXPECT_THROW(parse_object_list("<Error><Code>x</Code></Error>"), XmlError);
  EXPECT_THROW(parse_object_list("<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>"),
               XmlError);
  EXPECT_THROW(parse_object_list("<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>"), XmlError);
  EXPECT_THROW(parse_object_list("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"), XmlError);
}

TEST(S3Responses, UploadsErrorsAndTheCompletionBody) {
  EXPECT_EQ(parse_upload_id("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
                            "<UploadId>2~abc</UploadId></InitiateMultipartUploadResult>"),
            "2~abc");
  EXPECT_THROW(parse_upload_id("<InitiateMultipartUploadResult/>"), XmlError);
  UploadList uploads = parse_upload_list(
      "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated><Upload><Key>st/x</Key><UploadId>2~u</UploadId>"
      "<Initiated>2026-12-04T10:00:00.000Z</Initiated></Upload></ListMultipartUploadsResult>");
  ASSERT_EQ(uploads.uploads.size(), 1u);
  EXPECT_EQ(uploads.uploads[0].upload_id, "2~u");
  auto error = parse_error("<Error><Code>NoSuchKey</Code><Message>gone</Message><RequestId>r</RequestId></Error>");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "NoSuchKey");
  EXPECT_EQ(error->message, "gone");
  EXPECT_FALSE(parse_error("<CompleteMultipartUploadResult/>"));
  EXPECT_EQ(complete_multipart_body({{1, "\"e1\""}, {2, "\"e2\""}}),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part></CompleteMultipartUpload>");
}
